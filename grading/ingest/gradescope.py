"""Gradescope "Export Submissions": who is behind each ``submission_<id>/`` folder.

The export's ``submission_metadata.yml`` is Ruby-flavoured YAML (keys like ``:submitters``,
maybe ``!ruby/...`` tags); it is the only place the students' SIDs, names and submission times
appear, so it is read leniently but never with a loader that can build arbitrary objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import yaml

METADATA_NAME = "submission_metadata.yml"


@dataclass(frozen=True)
class Submitter:
    name: str | None
    sid: str | None
    email: str | None


@dataclass(frozen=True)
class GradescopeEntry:
    """One ``submission_<id>`` record: its submitters (several for a group) and time."""

    folder: str
    submitters: tuple[Submitter, ...]
    created_at: datetime | None


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads unknown (Ruby) tags as the plain data underneath them."""


def _untagged(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_Loader.add_multi_constructor("!", _untagged)
_Loader.add_multi_constructor("tag:yaml.org,2002:ruby", _untagged)

_TIME = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"\s*(Z|UTC|[+-]\d{2}:?\d{2})?\s*$"
)


def parse_time(value: object) -> datetime | None:
    """An aware datetime from YAML's own timestamp or Gradescope's text form; naive means UTC."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        return None
    match = _TIME.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    micro = int((match[7] or "0")[:6].ljust(6, "0"))
    zone = match[8]
    tz: timezone = UTC
    if zone and zone not in ("Z", "UTC"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        return None


def _key(record: dict, name: str) -> object:
    """Gradescope writes ``:name``; accept plain ``name`` too."""
    return record.get(f":{name}", record.get(name))


def _text(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def parse_metadata(text: str) -> dict[str, GradescopeEntry]:
    """Map each ``submission_<id>`` folder name to its entry; raises ValueError if unusable."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        detail = (str(error).strip().splitlines() or ["parse error"])[0]
        raise ValueError(f"{METADATA_NAME} is not valid YAML ({detail})") from error
    if not isinstance(data, dict):
        raise ValueError(f"{METADATA_NAME} is not a mapping of submission folders")
    entries: dict[str, GradescopeEntry] = {}
    for folder, record in data.items():
        if not isinstance(record, dict):
            continue
        raw = _key(record, "submitters")
        submitters = tuple(
            Submitter(
                name=_text(_key(person, "name")),
                sid=_text(_key(person, "sid")),
                email=_text(_key(person, "email")),
            )
            for person in (raw if isinstance(raw, list) else [])
            if isinstance(person, dict)
        )
        entries[str(folder)] = GradescopeEntry(
            folder=str(folder),
            submitters=submitters,
            created_at=parse_time(_key(record, "created_at")),
        )
    return entries


def student_id(submitter: Submitter, folder: str) -> str:
    """The best identifier: the SID, else the email, else the submission folder."""
    return submitter.sid or submitter.email or folder
