"""Printable questionnaires: one per expected person, in one language, with the person's code and
tick boxes in the same order (and numbering) as the entry form."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from programme.participants.models import Participant
from programme.questionnaires.models import Administration, InstrumentItem
from programme.questionnaires.services.administrations import timepoint_label
from programme.questionnaires.services.entry import choices_of
from programme.questionnaires.services.instruments import name_of
from programme.reports.document import Footer, build_pdf
from programme.reports.styles import RULE, safe, stylesheet

BOX = "☐"
WIDTH = 174 * mm


def _text(texts: dict, language: str) -> str:
    return texts.get(language) or texts.get("ru") or texts.get("en") or next(iter(texts.values()), "")


def _styles():
    sheet = stylesheet()
    scale_head = ParagraphStyle("ScaleHead", parent=sheet["TableCell"], fontSize=7, leading=8.5, alignment=1)
    box = ParagraphStyle("Box", parent=sheet["TableCell"], fontSize=13, leading=15, alignment=1)
    return sheet, scale_head, box


def _likert_block(items: list[InstrumentItem], language: str, code: str) -> Table:
    sheet, scale_head, box = _styles()
    choices = choices_of(items[0])
    points = len(choices)
    head = [
        Paragraph(safe(_("Code")) + f": <b>{safe(code)}</b>", sheet["TableCell"]),
        "",
        *[
            Paragraph(f"{safe(str(c['value']))}<br/>{safe(_text(c['texts'], language))}", scale_head)
            for c in choices
        ],
    ]
    rows = [head]
    for item in items:
        rows.append(
            [
                Paragraph(f"{item.position}.", sheet["TableCell"]),
                Paragraph(safe(_text(item.texts, language)), sheet["TableCell"]),
                *[Paragraph(f"{BOX}", box) for _choice in choices],
            ]
        )
    point_width = min(18 * mm, (WIDTH - 100 * mm) / points)
    table = Table(
        rows, colWidths=[9 * mm, WIDTH - 9 * mm - points * point_width] + [point_width] * points, repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f6")),
                ("SPAN", (0, 0), (1, 0)),
                ("TOPPADDING", (0, 1), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 5),
            ]
        )
    )
    return table


def _other_item(item: InstrumentItem, language: str) -> KeepTogether:
    sheet, _head, _box = _styles()
    parts = [Paragraph(f"<b>{item.position}.</b> {safe(_text(item.texts, language))}", sheet["Body"])]
    if item.item_type == "single_choice":
        options = "&nbsp;&nbsp;&nbsp; ".join(
            f'<font size="13">{BOX}</font> {number}. {safe(_text(choice["texts"], language))}'
            for number, choice in enumerate(choices_of(item), start=1)
        )
        parts.append(Paragraph(options, sheet["Body"]))
    elif item.item_type == "number":
        parts.append(Paragraph("_" * 12, sheet["Body"]))
    else:
        parts.append(Paragraph("_" * 80 + "<br/><br/>" + "_" * 80, sheet["Body"]))
    parts.append(Spacer(1, 2 * mm))
    return KeepTogether(parts)


def _one_questionnaire(administration: Administration, participant: Participant, language: str) -> list:
    sheet, _head, _box = _styles()
    instrument = administration.instrument
    texts = instrument.texts.get(language) or {}
    story = [
        Paragraph(safe(name_of(instrument, language)), sheet["H1"]),
        Table(
            [
                [
                    Paragraph(
                        _("Participant code") + f": <b>{safe(participant.study_code)}</b>", sheet["Body"]
                    ),
                    Paragraph(safe(timepoint_label(administration.timepoint)), sheet["Body"]),
                    Paragraph(_("Date") + ": ____ . ____ . ________", sheet["Body"]),
                ]
            ],
            colWidths=[WIDTH * 0.38, WIDTH * 0.27, WIDTH * 0.35],
            style=TableStyle([("BOX", (0, 0), (-1, -1), 0.6, RULE), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]),
        ),
        Spacer(1, 3 * mm),
    ]
    if texts.get("instructions"):
        story.append(Paragraph(safe(texts["instructions"]), sheet["Small"]))
    story.append(
        Paragraph(
            _("Tick one box for each question. Leave a question empty if you do not want to answer."),
            sheet["Small"],
        )
    )
    groups = {group["code"]: group for group in instrument.groups}
    block: list[InstrumentItem] = []
    current_group = None

    def flush():
        if block:
            story.append(_likert_block(list(block), language, participant.study_code))
            story.append(Spacer(1, 3 * mm))
            block.clear()

    for item in instrument.items:
        if item.group_code != current_group:
            flush()
            current_group = item.group_code
            if item.group_code in groups:
                story.append(Paragraph(safe(_text(groups[item.group_code]["texts"], language)), sheet["H2"]))
        if item.item_type == "likert" and (not block or block[0].choice_list == item.choice_list):
            block.append(item)
            continue
        flush()
        if item.item_type == "likert":
            block.append(item)
        else:
            story.append(_other_item(item, language))
    flush()
    story.append(Paragraph(_("Thank you."), sheet["Body"]))
    return story


def questionnaire_pdf(
    administration: Administration, participants: list[Participant], language: str
) -> bytes:
    with force_locale(language):
        story: list = []
        for index, participant in enumerate(participants):
            if index:
                story.append(PageBreak())
            story.extend(_one_questionnaire(administration, participant, language))
        instrument = administration.instrument
        footer = Footer(
            name_of(instrument, language),
            _("Version %(n)d", n=instrument.number) + " · " + timepoint_label(administration.timepoint),
            _("Page %(n)d of %(total)d"),
        )
        return build_pdf(story, footer, language=language)
