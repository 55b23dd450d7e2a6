"""Rules over many handbooks at once: the cap on the top rating (LTGB-C001).

Two views of the cap. :func:`check_top_rating_cap` counts finished figures (a report at the
end of the year). While a grassroots organisation is still being assessed, a
:class:`RatingTally` — its ratings so far and how many handbooks may still be rated — lets
:func:`check_cap_outlook` say whether the cap is *already certain* to be exceeded whatever
the remaining ratings are. That verdict depends only on the figures, never on the order the
ratings were entered, and once nothing is pending it is the final one; a service keeps a
tally as running figures, so checking it costs nothing per handbook.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

import attrs

from lamtheoguongbac._model import Handbook, HandbookStatus, MemberStatus, RatingLevel
from lamtheoguongbac.rules._base import Severity, Violation
from lamtheoguongbac.rules._policy import Policy, TopRatingCap

__all__ = [
    "CapCheck",
    "RatingTally",
    "cap_figures",
    "cap_outlook",
    "check_cap_outlook",
    "check_top_rating_cap",
    "counts_as_pending",
    "tally",
]

_OPEN = frozenset({HandbookStatus.DRAFT, HandbookStatus.REGISTERED, HandbookStatus.REPORTED})


def counts_as_pending(status: HandbookStatus, member_status: MemberStatus) -> bool:
    """Whether a handbook may still be rated: not yet assessed, its member not suspended
    (a suspended member is never rated, LTGB-A003).

    Example:
        >>> from lamtheoguongbac import HandbookStatus, MemberStatus
        >>> from lamtheoguongbac.rules import counts_as_pending
        >>> counts_as_pending(HandbookStatus.REPORTED, MemberStatus.OFFICIAL)
        True
        >>> counts_as_pending(HandbookStatus.REPORTED, MemberStatus.SUSPENDED)
        False
    """
    return status in _OPEN and member_status is not MemberStatus.SUSPENDED


@attrs.frozen(kw_only=True)
class RatingTally:
    """Running figures of one grassroots organisation and year (số liệu xếp loại): how many
    assessed handbooks carry each rating, and how many may still be rated.

    Example:
        >>> from lamtheoguongbac import HandbookStatus, RatingLevel
        >>> from lamtheoguongbac.rules import tally
        >>> from lamtheoguongbac.testing import make_handbook
        >>> books = [
        ...     make_handbook(HandbookStatus.ASSESSED, index=i, rating=RatingLevel.GOOD)
        ...     for i in (1, 2)
        ... ]
        >>> figures = tally([*books, make_handbook(HandbookStatus.REGISTERED, index=3)])
        >>> figures.ratings[RatingLevel.GOOD], figures.pending
        (2, 1)
    """

    ratings: Mapping[RatingLevel, int] = attrs.field(factory=dict)
    pending: int = 0

    def count(self, level: RatingLevel) -> int:
        """How many handbooks carry ``level``."""
        return self.ratings.get(level, 0)

    def rated(self, rating: RatingLevel | None, *, was_pending: bool) -> RatingTally:
        """The tally once one more handbook is assessed with ``rating`` (None: not rated);
        ``was_pending`` says whether this tally counted it as pending."""
        ratings = dict(self.ratings)
        if rating is not None:
            ratings[rating] = ratings.get(rating, 0) + 1
        return RatingTally(ratings=ratings, pending=self.pending - int(was_pending))

    def __add__(self, other: RatingTally) -> RatingTally:
        ratings = dict(self.ratings)
        for level, n in other.ratings.items():
            ratings[level] = ratings.get(level, 0) + n
        return RatingTally(ratings=ratings, pending=self.pending + other.pending)


def tally(
    handbooks: Iterable[Handbook], member_status: Callable[[Handbook], MemberStatus] | None = None
) -> RatingTally:
    """Count ``handbooks`` (one organisation and year) into a :class:`RatingTally`.

    ``member_status`` gives a member's current standing (default: the handbook's copy); a
    store that keeps the roster passes the roster's.

    Example:
        >>> from lamtheoguongbac import HandbookStatus, RatingLevel
        >>> from lamtheoguongbac.rules import tally
        >>> from lamtheoguongbac.testing import make_handbook
        >>> figures = tally(
        ...     [make_handbook(HandbookStatus.ASSESSED, rating=RatingLevel.EXCELLENT)]
        ... )
        >>> figures.ratings, figures.pending
        ({<RatingLevel.EXCELLENT: 'HTXSNV'>: 1}, 0)
    """
    ratings: dict[RatingLevel, int] = defaultdict(int)
    pending = 0
    for hb in handbooks:
        ca = hb.collective_assessment
        if hb.status in _OPEN:
            status = member_status(hb) if member_status is not None else hb.member.status
            pending += counts_as_pending(hb.status, status)
        elif ca is not None and ca.rating is not None:
            ratings[ca.rating] += 1
    return RatingTally(ratings=dict(ratings), pending=pending)


@attrs.frozen(kw_only=True)
class CapCheck:
    """The cap's figures for one grassroots organisation in one year.

    Example:
        >>> from lamtheoguongbac.rules import RatingTally, TopRatingCap, cap_outlook
        >>> from lamtheoguongbac import RatingLevel
        >>> tally = RatingTally(
        ...     ratings={RatingLevel.EXCELLENT: 2, RatingLevel.GOOD: 8}, pending=0
        ... )
        >>> check = cap_outlook(
        ...     tally,
        ...     TopRatingCap(),
        ...     organisation_id="xa-anphu",
        ...     organisation_name="Đảng bộ xã An Phú",
        ...     year=2025,
        ... )
        >>> check.top_count, check.base_count, check.allowed
        (2, 8, 1)
    """

    organisation_id: str
    organisation_name: str
    year: int
    top_count: int
    base_count: int
    allowed: int
    #: handbooks that may still be rated (0 in final figures); ``allowed`` counts them as
    #: if each will join the base, the most the cap could still allow
    pending: int = 0

    @property
    def exceeded(self) -> bool:
        """Whether more members got the top rating than the cap allows."""
        return self.top_count > self.allowed


def cap_figures(handbooks: Iterable[Handbook], cap: TopRatingCap) -> list[CapCheck]:
    """Count top and base ratings per grassroots organisation and year (the cap is yearly);
    sorted by organisation id, then year.

    Example:
        >>> from lamtheoguongbac import HandbookStatus, RatingLevel
        >>> from lamtheoguongbac.rules import TopRatingCap, cap_figures
        >>> from lamtheoguongbac.testing import make_handbook
        >>> books = [
        ...     make_handbook(HandbookStatus.ASSESSED, index=i, rating=RatingLevel.EXCELLENT)
        ...     for i in (1, 2)
        ... ]
        >>> books += [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(3, 11)]
        >>> (check,) = cap_figures(books, TopRatingCap())
        >>> check.organisation_id, check.year, check.top_count, check.allowed
        ('dangbo-xa-tb', 2025, 2, 1)
    """
    Key = tuple[str, int]
    top: dict[Key, int] = defaultdict(int)
    base: dict[Key, int] = defaultdict(int)
    names: dict[Key, str] = {}
    for hb in handbooks:
        ca = hb.collective_assessment
        key = (hb.grassroots.id, hb.year)
        names[key] = hb.grassroots.name
        if ca is None or ca.rating is None:
            continue
        if ca.rating is cap.level:
            top[key] += 1
        if ca.rating in cap.of_levels:
            base[key] += 1
    return [
        CapCheck(
            organisation_id=key[0],
            organisation_name=names[key],
            year=key[1],
            top_count=top[key],
            base_count=base[key],
            allowed=_allowed(cap, base[key]),
        )
        for key in sorted(names)
    ]


def cap_outlook(
    figures: RatingTally,
    cap: TopRatingCap,
    *,
    organisation_id: str,
    organisation_name: str,
    year: int,
) -> CapCheck:
    """The cap for one organisation and year from running figures.

    ``allowed`` is the most the cap can still allow — as if every pending handbook ends in
    the base — so :attr:`CapCheck.exceeded` means the final figures will exceed the cap
    whatever the remaining ratings are, and never fires part-way through because of the
    order ratings arrive in. With nothing pending it is the final figure.

    Example:
        >>> from lamtheoguongbac import RatingLevel
        >>> from lamtheoguongbac.rules import RatingTally, TopRatingCap, cap_outlook
        >>> figures = RatingTally(
        ...     ratings={RatingLevel.EXCELLENT: 1, RatingLevel.GOOD: 4}, pending=5
        ... )
        >>> outlook = cap_outlook(
        ...     figures,
        ...     TopRatingCap(),
        ...     organisation_id="xa-anphu",
        ...     organisation_name="Đảng bộ xã An Phú",
        ...     year=2025,
        ... )
        >>> outlook.top_count, outlook.pending, outlook.allowed
        (1, 5, 1)
    """
    base = sum(figures.count(level) for level in cap.of_levels)
    return CapCheck(
        organisation_id=organisation_id,
        organisation_name=organisation_name,
        year=year,
        top_count=figures.count(cap.level),
        base_count=base,
        allowed=_allowed(cap, base + max(figures.pending, 0)),
        pending=max(figures.pending, 0),
    )


def _allowed(cap: TopRatingCap, base: int) -> int:
    return int((cap.ratio * base).to_integral_value(rounding="ROUND_FLOOR"))


def _violation(c: CapCheck, cap: TopRatingCap) -> Violation:
    # format "f": Decimal("20.00").normalize() alone prints as "2E+1"
    pct = format((cap.ratio * 100).normalize(), "f")
    base = ", ".join(level.abbreviation for level in cap.of_levels)
    pending_vi = pending_en = ""
    if c.pending:
        pending_vi = f", kể cả khi {c.pending} đảng viên chưa đánh giá đều đạt {base}"
        pending_en = f", even if the {c.pending} not yet assessed are all rated {base}"
    return Violation(
        code="LTGB-C001",
        severity=Severity.ERROR,
        path=f"organisation[{c.organisation_id}].year[{c.year}]",
        message_vi=f"{c.organisation_name} năm {c.year}: {c.top_count} đảng viên xếp loại "
        f"{cap.level.abbreviation}, vượt quá {pct}% của {c.base_count} đảng viên {base}"
        f"{pending_vi} (tối đa {c.allowed})",
        message_en=f"{c.organisation_name} in {c.year}: {c.top_count} rated "
        f"{cap.level.abbreviation}, more than {pct}% of the {c.base_count} rated {base}"
        f"{pending_en} (at most {c.allowed})",
    )


def check_top_rating_cap(handbooks: Iterable[Handbook], policy: Policy) -> list[Violation]:
    """LTGB-C001: within each grassroots organisation, the top rating stays under the cap.

    Example:
        >>> from lamtheoguongbac import HandbookStatus, RatingLevel
        >>> from lamtheoguongbac.rules import DEFAULT_POLICY, check_top_rating_cap
        >>> from lamtheoguongbac.testing import make_handbook
        >>> books = [
        ...     make_handbook(HandbookStatus.ASSESSED, index=i, rating=RatingLevel.EXCELLENT)
        ...     for i in (1, 2, 3)
        ... ]
        >>> [v.code for v in check_top_rating_cap(books, DEFAULT_POLICY)]
        ['LTGB-C001']
    """
    cap = policy.top_rating_cap
    if cap is None:
        return []
    return [_violation(c, cap) for c in cap_figures(handbooks, cap) if c.exceeded]


def check_cap_outlook(
    figures: RatingTally,
    policy: Policy,
    *,
    organisation_id: str,
    organisation_name: str,
    year: int,
) -> list[Violation]:
    """LTGB-C001 on running figures: a violation only when the cap is certain to be
    exceeded whatever the pending handbooks are rated (see :func:`cap_outlook`).

    Example:
        >>> from lamtheoguongbac import RatingLevel
        >>> from lamtheoguongbac.rules import DEFAULT_POLICY, RatingTally, check_cap_outlook
        >>> figures = RatingTally(
        ...     ratings={RatingLevel.EXCELLENT: 5, RatingLevel.GOOD: 5}, pending=0
        ... )
        >>> [
        ...     v.code
        ...     for v in check_cap_outlook(
        ...         figures,
        ...         DEFAULT_POLICY,
        ...         organisation_id="xa-anphu",
        ...         organisation_name="Đảng bộ xã An Phú",
        ...         year=2025,
        ...     )
        ... ]
        ['LTGB-C001']
    """
    cap = policy.top_rating_cap
    if cap is None:
        return []
    check = cap_outlook(
        figures,
        cap,
        organisation_id=organisation_id,
        organisation_name=organisation_name,
        year=year,
    )
    return [_violation(check, cap)] if check.exceeded else []
