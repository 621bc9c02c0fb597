"""Printable questionnaires: one per expected person, in one language, with the person's code and
tick boxes in the same order (and numbering) as the entry form."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle

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
    scale_head = ParagraphStyle("ScaleHead", parent=sheet["TableCell"], fontSize=9, leading=11, alignment=1)
    box = ParagraphStyle("Box", parent=sheet["TableCell"], fontSize=13, leading=15, alignment=1)
    return sheet, scale_head, box


def _scale_legend(items: list[InstrumentItem], language: str) -> Paragraph:
    """The labelled points of the scale, once above each block of Likert items."""
    points = "&nbsp;&nbsp;·&nbsp;&nbsp;".join(
        f"<b>{safe(str(c['value']))}</b> = {safe(_text(c['texts'], language))}" for c in choices_of(items[0])
    )
    return Paragraph(points, stylesheet()["Small"])


def _likert_block(items: list[InstrumentItem], language: str, code: str) -> Table:
    sheet, scale_head, box = _styles()
    choices = choices_of(items[0])
    points = len(choices)
    head = [
        Paragraph(safe(_("Code")) + f": <b>{safe(code)}</b>", sheet["TableCell"]),
        "",
        *[Paragraph(f"<b>{safe(str(c['value']))}</b>", scale_head) for c in choices],
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
    point_width = min(12 * mm, (WIDTH - 100 * mm) / points)
    table = Table(
        rows,
        colWidths=[11 * mm, WIDTH - 11 * mm - points * point_width] + [point_width] * points,
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f6")),
                ("SPAN", (0, 0), (1, 0)),
                ("TOPPADDING", (0, 1), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 3),
            ]
        )
    )
    return table


def _other_item(item: InstrumentItem, language: str) -> list:
    body = ParagraphStyle("Item", parent=stylesheet()["Body"], fontSize=10, leading=13, spaceAfter=2)
    parts = [Paragraph(f"<b>{item.position}.</b> {safe(_text(item.texts, language))}", body)]
    if item.item_type == "single_choice":
        options = "&nbsp;&nbsp;&nbsp; ".join(
            f'<font size="13">{BOX}</font> {number}. {safe(_text(choice["texts"], language))}'
            for number, choice in enumerate(choices_of(item), start=1)
        )
        parts.append(Paragraph(options, body))
    elif item.item_type == "number":
        parts.append(Paragraph("_" * 12, body))
    else:
        parts.append(Paragraph("_" * 80 + "<br/><br/>" + "_" * 80, body))
    return parts


def _other_block(items: list[InstrumentItem], language: str, code: str) -> Table:
    """Choice, number and text items; the code heads every page the block runs over."""
    sheet, _head, _box = _styles()
    rows = [[Paragraph(safe(_("Code")) + f": <b>{safe(code)}</b>", sheet["TableCell"])]]
    rows += [[_other_item(item, language)] for item in items]
    table = Table(rows, colWidths=[WIDTH], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f6")),
                ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
                ("TOPPADDING", (0, 1), (-1, -1), 4),
            ]
        )
    )
    return table


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

    def flush():
        if not block:
            return
        if block[0].item_type == "likert":
            story.append(_scale_legend(block, language))
            story.append(_likert_block(list(block), language, participant.study_code))
        else:
            story.append(_other_block(list(block), language, participant.study_code))
        story.append(Spacer(1, 3 * mm))
        block.clear()

    def same_block(item) -> bool:
        if not block or block[-1].group_code != item.group_code:
            return False
        if item.item_type == "likert":
            return block[-1].item_type == "likert" and block[-1].choice_list == item.choice_list
        return block[-1].item_type != "likert"

    for item in instrument.items:
        starts_group = item.group_code and (not block or block[-1].group_code != item.group_code)
        if not same_block(item):
            flush()
        if starts_group and item.group_code in groups:
            story.append(Paragraph(safe(_text(groups[item.group_code]["texts"], language)), sheet["H2"]))
        block.append(item)
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
