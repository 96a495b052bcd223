"""The template environment: project overrides, the '!' prefix, sandboxing, and errors with file and line."""

import pytest
from jinja2.exceptions import SecurityError

from jianbao.narrative.env import BUILTIN_TEMPLATES, TemplateProblem, make_environment, render_template


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_project_template_replaces_the_built_in_one(tmp_path):
    write(tmp_path, "key_points.md.j2", "项目要点")
    env = make_environment(tmp_path)
    assert env.get_template("key_points.md.j2").render() == "项目要点"
    assert "本期要点" in env.get_template("!key_points.md.j2").render(key_points=["甲"])


def test_without_a_project_the_built_in_templates_load():
    env = make_environment(None)
    assert env.get_template("layout.md.j2").filename == str(BUILTIN_TEMPLATES / "layout.md.j2")


def test_an_override_extends_the_built_in_file_and_changes_one_block(tmp_path):
    write(tmp_path, "layout.md.j2", '{% extends "!layout.md.j2" %}\n{% block key_points %}# 要点\n{% endblock %}\n')
    env = make_environment(tmp_path)
    chapters = [{"title": "装备制造业", "body": "正文。"}]
    text = env.get_template("layout.md.j2").render(chapters=chapters, key_points=["甲"])
    assert "# 要点" in text and "本期要点" not in text
    assert "# 装备制造业\n\n正文。" in text


def test_undefined_variables_are_errors_naming_file_line_and_name(tmp_path):
    path = write(tmp_path, "x.md.j2", "第一行\n{{ missing_name }}\n")
    with pytest.raises(TemplateProblem) as info:
        render_template(make_environment(tmp_path), "x.md.j2", {})
    assert str(info.value) == f"{path}, line 2: undefined: 'missing_name' is undefined"
    assert (info.value.file, info.value.line) == (str(path), 2)


def test_syntax_errors_name_the_project_file_and_line(tmp_path):
    path = write(tmp_path, "x.md.j2", "一\n二\n{% if %}\n")
    with pytest.raises(TemplateProblem) as info:
        render_template(make_environment(tmp_path), "x.md.j2", {})
    assert str(info.value).startswith(f"{path}, line 3: syntax error: ")


def test_an_error_in_an_included_template_names_that_template(tmp_path):
    write(tmp_path, "outer.md.j2", '外\n{% include "inner.md.j2" %}\n')
    inner = write(tmp_path, "inner.md.j2", "内\n\n{{ 1 // zero }}\n")
    with pytest.raises(TemplateProblem) as info:
        render_template(make_environment(tmp_path), "outer.md.j2", {"zero": 0})
    assert (info.value.file, info.value.line) == (str(inner), 3)


def test_a_missing_template_is_named(tmp_path):
    with pytest.raises(TemplateProblem, match="template not found: nowhere.md.j2"):
        render_template(make_environment(tmp_path), "nowhere.md.j2", {})


def test_templates_run_sandboxed(tmp_path):
    write(tmp_path, "x.md.j2", "{{ ''.__class__.__mro__ }}")
    with pytest.raises(TemplateProblem) as info:
        render_template(make_environment(tmp_path), "x.md.j2", {})
    assert isinstance(info.value.__cause__, SecurityError)
    assert "'__class__'" in str(info.value) and "unsafe" in str(info.value)


def test_autoescape_is_for_html_templates(tmp_path):
    write(tmp_path, "x.html.j2", "{{ text }}")
    assert render_template(make_environment(tmp_path, autoescape=True), "x.html.j2", {"text": "<b>"}) == "&lt;b&gt;"
    assert render_template(make_environment(tmp_path), "x.html.j2", {"text": "<b>"}) == "<b>"
