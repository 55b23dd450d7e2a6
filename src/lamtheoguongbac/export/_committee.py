"""The heading and signature of a document a party committee issues (thể thức văn bản của
cấp ủy): the summary report, the yearbook.

Hướng dẫn 36-HD/VPTW: a committee's document names the **committee** as the issuing body
("ĐẢNG ỦY XÃ AN PHÚ") under its superior organisation ("ĐẢNG BỘ TỈNH AN GIANG"), carries a
number and symbol ("Số 12-BC/ĐU": number, document-type abbreviation, issuer abbreviation),
and is signed on behalf of the committee ("T/M ĐẢNG ỦY" over "BÍ THƯ" or "PHÓ BÍ THƯ" and
the full name), with "Nơi nhận:" listing the recipients and the archive ("- Lưu Văn phòng
Đảng ủy.").

:class:`CommitteeHeading` holds those facts; :meth:`CommitteeHeading.of_unit` takes them
from the roster (the committee's name from the unit, the signer from the members holding
the Bí thư — else Phó Bí thư — role in that unit on the document's date), and
:meth:`CommitteeHeading.context` gives the template keys every committee document shares:

=====================================  ======================================================
key                                    value
=====================================  ======================================================
``committee.name``                     "Đảng ủy xã An Phú"
``committee.name_upper``               "ĐẢNG ỦY XÃ AN PHÚ", the issuing body in the header
``committee.name_upper_lines``         list of str, the same broken between phrases
``committee.kind``                     "Đảng ủy" (the words up to "ủy")
``committee.kind_upper``               "ĐẢNG ỦY"
``committee.abbreviation``             "ĐU", the issuer's part of the symbol
``superior.name``                      "Đảng bộ tỉnh An Giang", "" when none
``superior.name_upper``                the same in capitals
``superior.name_upper_lines``          list of str, broken between phrases
``document.number``                    "12-BC/ĐU", "" when not numbered yet
``document.number_line``               "Số 12-BC/ĐU"; unnumbered "Số      -BC/ĐU" (the office
                                       writes the number in when it issues the document)
``signature.on_behalf``                "T/M ĐẢNG ỦY"
``signature.title``                    "Bí thư" / "Phó Bí thư"
``signature.title_upper``              "BÍ THƯ" / "PHÓ BÍ THƯ"
``signature.name``                     the signer's full name, "" when the roster has none
``recipients``                         list of str, "- Ban Thường vụ Tỉnh ủy," …, the last
                                       one "- Lưu Văn phòng Đảng ủy."
=====================================  ======================================================
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from lamtheoguongbac._checks import fail
from lamtheoguongbac._model import Member, OrgUnit, Role, committee_of
from lamtheoguongbac.export._values import clean, header_lines, upper

__all__ = ["CommitteeHeading", "committee_signer"]

_SIGNERS = (Role.SECRETARY, Role.DEPUTY_SECRETARY)
_BARE_NUMBER = re.compile(r"\d{1,6}")


def committee_signer(
    unit_id: str, members: Iterable[Member], on: dt.date
) -> tuple[Member, Role] | None:
    """Who signs for the committee of ``unit_id`` on ``on``: the member holding the Bí thư
    role there, else the Phó Bí thư (the first by roster order when several); None when
    the roster has neither.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac.export import committee_signer
        >>> from lamtheoguongbac.testing import make_member, make_secretary
        >>> members = [make_member(1), make_secretary("chibo-01")]
        >>> signer, role = committee_signer("chibo-01", members, dt.date(2025, 12, 31))
        >>> signer.full_name, role.label_vi
        ('Nguyễn Ngọc Hải', 'Bí thư')
        >>> committee_signer("chibo-02", members, dt.date(2025, 12, 31)) is None
        True
    """
    found: dict[Role, Member] = {}
    for m in members:
        for role in m.roles_on(on, unit_id) & set(_SIGNERS):
            found.setdefault(role, m)
    for role in _SIGNERS:
        if role in found:
            return found[role], role
    return None


def _kind(committee: str) -> str:
    """ "Đảng ủy xã An Phú" → "Đảng ủy"; "Tỉnh ủy An Giang" → "Tỉnh ủy"."""
    words = committee.split()
    for i, word in enumerate(words):
        if word.casefold() in {"ủy", "uỷ"}:  # both tone placements are in use
            return " ".join(words[: i + 1])
    return committee


def _abbreviation(kind: str) -> str:
    """ "Đảng ủy" → "ĐU", "Tỉnh ủy" → "TU", "Chi ủy" → "CU": the initials, as in symbols."""
    # Tone marks go ("ủy" → "U"); Đ has no decomposition and stays ("Đảng" → "Đ").
    return "".join(upper(_base_letter(w[0])) for w in kind.split() if w)


def _base_letter(char: str) -> str:
    return unicodedata.normalize("NFD", char)[0]


def _recipients(lines: Iterable[str]) -> tuple[str, ...]:
    return tuple(clean(x).removeprefix("- ").rstrip(",;.") for x in lines)


@attrs.frozen(kw_only=True)
class CommitteeHeading:
    """Who issues a committee document and who signs it (cơ quan ban hành, người ký).

    Args:
        committee: the committee's name, "Đảng ủy xã An Phú".
        superior: the organisation above it, "Đảng bộ tỉnh An Giang" ("" for none).
        place: the place name of the place-date line.
        number: "12-BC/ĐU", or just "12" (the rest is added), or "" (left blank to fill).
        signer_name: the signer's full name ("" leaves the space to write it in).
        signer_role: Bí thư or Phó Bí thư.
        recipients: "Nơi nhận" lines before the archive line, e.g. "Ban Thường vụ Tỉnh ủy"
            (a leading "- " and the trailing comma are added).

    Example:
        >>> from lamtheoguongbac import Role
        >>> from lamtheoguongbac.export import CommitteeHeading
        >>> heading = CommitteeHeading(
        ...     committee="Đảng ủy xã An Phú",
        ...     superior="Đảng bộ tỉnh An Giang",
        ...     place="An Phú",
        ...     number="12-BC/ĐU",
        ...     signer_name="Nguyễn Văn Hùng",
        ...     signer_role=Role.SECRETARY,
        ... )
        >>> heading.committee, heading.number
        ('Đảng ủy xã An Phú', '12-BC/ĐU')
    """

    committee: str = attrs.field(converter=clean)
    superior: str = attrs.field(default="", converter=clean)
    place: str = attrs.field(default="", converter=clean)
    number: str = attrs.field(default="", converter=clean)
    signer_name: str = attrs.field(default="", converter=clean)
    signer_role: Role = Role.SECRETARY
    recipients: tuple[str, ...] = attrs.field(default=(), converter=_recipients)

    def __attrs_post_init__(self) -> None:
        if not self.committee:
            fail("CommitteeHeading.committee", "cần tên cấp ủy", "the committee's name is needed")
        if self.signer_role not in _SIGNERS:
            fail(
                "CommitteeHeading.signer_role",
                "người ký thay mặt cấp ủy là Bí thư hoặc Phó Bí thư",
                "the Secretary or Deputy Secretary signs for the committee",
            )

    @classmethod
    def of_unit(
        cls,
        chain: Sequence[OrgUnit],
        members: Iterable[Member],
        *,
        on: dt.date,
        number: str = "",
        recipients: Sequence[str] = (),
        place: str | None = None,
    ) -> CommitteeHeading:
        """The heading of the committee of ``chain[-1]`` (``chain`` root first): its
        committee name, its superior (``chain[-2]``), the nearest place name, and the
        signer from ``members`` (:func:`committee_signer` on ``on``).

        Without ``recipients``, the superior's committee ("- Ban Thường vụ Tỉnh ủy An
        Giang,") when there is a superior, and the units below ("- Các chi bộ trực thuộc,").
        """
        if not chain:
            fail("CommitteeHeading.chain", "cần đơn vị ban hành", "the issuing unit is needed")
        unit = chain[-1]
        superior = chain[-2] if len(chain) > 1 else None
        if place is None:
            place = next((u.place for u in reversed(chain) if u.place and u.place.strip()), "")
        found = committee_signer(unit.id, members, on)
        if not recipients:
            recipients = (
                *((f"Ban Thường vụ {superior.committee_name}",) if superior else ()),
                "Các chi bộ trực thuộc",
            )
        return cls(
            committee=unit.committee_name,
            superior="" if superior is None else superior.name,
            place=place or "",
            number=number,
            signer_name="" if found is None else found[0].full_name,
            signer_role=Role.SECRETARY if found is None else found[1],
            recipients=tuple(recipients),
        )

    @classmethod
    def of_name(cls, organisation_name: str, **kwargs: Any) -> CommitteeHeading:
        """The heading of an organisation known only by name ("Đảng bộ xã An Phú"): its
        committee's name derived from it ("Đảng ủy xã An Phú")."""
        return cls(committee=committee_of(organisation_name), **kwargs)

    @property
    def kind(self) -> str:
        """ "Đảng ủy", "Tỉnh ủy", "Chi ủy" …"""
        return _kind(self.committee)

    @property
    def abbreviation(self) -> str:
        """The issuer's part of a symbol ("ĐU", "TU", "CU" …)."""
        return _abbreviation(self.kind)

    def number_line(self, document_type: str = "BC") -> str:
        """ "Số 12-BC/ĐU"; a bare number gets the symbol; none leaves a blank to fill in."""
        symbol = f"{document_type}/{self.abbreviation}"
        if not self.number:
            return f"Số {' ' * 6}-{symbol}"
        if _BARE_NUMBER.fullmatch(self.number):
            return f"Số {self.number}-{symbol}"
        return f"Số {self.number.removeprefix('Số ').removeprefix('số ')}"

    def archive_line(self) -> str:
        """ "- Lưu Văn phòng Đảng ủy." (a chi bộ keeps its own files: "- Lưu hồ sơ chi bộ.")."""
        if self.kind.casefold().startswith("chi"):
            return "- Lưu hồ sơ chi bộ."
        return f"- Lưu Văn phòng {self.kind}."

    def context(self, *, document_type: str = "BC") -> dict[str, Any]:
        """The template keys in the module docstring's table."""
        kind_upper = upper(self.kind)
        committee_upper = upper(self.committee)
        superior_upper = upper(self.superior)
        number = self.number_line(document_type).removeprefix("Số ").strip()
        return {
            "committee": {
                "name": self.committee,
                "name_upper": committee_upper,
                "name_upper_lines": header_lines(committee_upper),
                "kind": self.kind,
                "kind_upper": kind_upper,
                "abbreviation": self.abbreviation,
            },
            "superior": {
                "name": self.superior,
                "name_upper": superior_upper,
                "name_upper_lines": header_lines(superior_upper),
            },
            "document": {
                "number": number if self.number else "",
                "number_line": self.number_line(document_type),
            },
            "signature": {
                "on_behalf": f"T/M {kind_upper}",
                "title": self.signer_role.label_vi,
                "title_upper": upper(self.signer_role.label_vi),
                "name": self.signer_name,
            },
            "recipients": [f"- {r}," for r in self.recipients] + [self.archive_line()],
        }
