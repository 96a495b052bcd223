# Thin aliases for dev.sh, which does the work (and installs what is missing).
.PHONY: setup demo test bench
setup: ; bash dev.sh setup
demo: ; bash dev.sh demo
test: ; bash dev.sh test
bench: ; bash dev.sh bench
