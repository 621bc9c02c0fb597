"""The register's per-person controls: the markup the register's script reads, escaped."""

from __future__ import annotations

import re

from programme.attendance import labels
from programme.attendance.register_html import RegisterControls


def test_status_buttons_carry_the_names_keys_and_the_current_status(app):
    with app.test_request_context():
        html = str(RegisterControls().status_buttons(42, "late"))
    radios = re.findall(r'<input type="radio" class="btn-check" ([^>]*)>', html)
    assert len(radios) == 4
    for key, (status, attributes) in enumerate(zip(labels.STATUSES, radios, strict=True), start=1):
        assert f'name="status-42" id="status-42-{status}" value="{status}" data-key="{key}"' in attributes
        assert attributes.endswith(" checked") == (status == "late")
    assert re.findall(r'for="(status-42-\w+)"', html) == [f"status-42-{s}" for s in labels.STATUSES]
    with app.test_request_context():
        assert " checked" not in str(RegisterControls().status_buttons(42, None))


def test_reason_options_mark_the_current_reason_only(app):
    with app.test_request_context():
        controls = RegisterControls()
        chosen = str(controls.reason_options("medical"))
        unset = str(controls.reason_options(None))
        unknown = str(controls.reason_options("not-a-reason"))
    assert chosen.startswith('<option value="">—</option>')
    assert re.findall(r'value="(\w*)"', chosen) == ["", *labels.REASONS]
    assert re.findall(r'<option value="(\w+)" selected>', chosen) == ["medical"]
    assert " selected" not in unset and unset == unknown


def test_labels_are_escaped(app, monkeypatch):
    monkeypatch.setattr(labels, "STATUSES", {**labels.STATUSES, "present": '<b onclick="x">Here</b>'})
    monkeypatch.setattr(labels, "REASONS", {**labels.REASONS, "court": "<script>alert(1)</script>"})
    with app.test_request_context():
        controls = RegisterControls()
        html = str(controls.status_buttons(7, "present")) + str(controls.reason_options("court"))
    assert "<b " not in html and "<script>" not in html
    assert "&lt;b onclick=&#34;x&#34;&gt;Here&lt;/b&gt;" in html and "&lt;script&gt;" in html
