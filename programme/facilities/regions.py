"""Kazakhstan's regions and cities of republican significance; facility security levels."""

from flask_babel import lazy_gettext as _l

REGIONS = {
    "abai": _l("Abai region"),
    "akmola": _l("Akmola region"),
    "aktobe": _l("Aktobe region"),
    "almaty_region": _l("Almaty region"),
    "atyrau": _l("Atyrau region"),
    "east_kazakhstan": _l("East Kazakhstan region"),
    "jambyl": _l("Jambyl region"),
    "jetisu": _l("Jetisu region"),
    "karaganda": _l("Karaganda region"),
    "kostanay": _l("Kostanay region"),
    "kyzylorda": _l("Kyzylorda region"),
    "mangystau": _l("Mangystau region"),
    "north_kazakhstan": _l("North Kazakhstan region"),
    "pavlodar": _l("Pavlodar region"),
    "turkestan": _l("Turkestan region"),
    "ulytau": _l("Ulytau region"),
    "west_kazakhstan": _l("West Kazakhstan region"),
    "astana": _l("Astana city"),
    "almaty_city": _l("Almaty city"),
    "shymkent": _l("Shymkent city"),
}
REGION_CODES = tuple(REGIONS)

SECURITY_LEVELS = {
    "minimum": _l("Minimum security"),
    "medium": _l("Medium security"),
    "maximum": _l("Maximum security"),
    "extreme": _l("Extreme security"),
    "full": _l("Full security"),
    "mixed": _l("Mixed security"),
}

# Kazakhstan has used one zone (UTC+5) since March 2024; the names stay for history and tzdata.
TIMEZONES = (
    "Asia/Almaty",
    "Asia/Qostanay",
    "Asia/Aqtobe",
    "Asia/Aqtau",
    "Asia/Atyrau",
    "Asia/Oral",
    "Asia/Qyzylorda",
)
