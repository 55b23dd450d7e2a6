"""What a handbook gathers during its period, before the final report (giữa kỳ).

A registered handbook stays *registered* while it gains these, without being reopened:

* :class:`Supplement` — a yearly supplement of pledges to a term book (đăng ký bổ sung),
  added by :meth:`Handbooks.supplement_pledges <lamtheoguongbac.Handbooks.supplement_pledges>`;
  a :class:`~lamtheoguongbac.Handbook` keeps them in ``supplements``;
* :class:`Review` — an interim review at a checkpoint or a year's end (sơ kết, kiểm điểm),
  reported by :meth:`Handbooks.report_interim <lamtheoguongbac.Handbooks.report_interim>` and
  assessed by :meth:`Handbooks.record_interim_assessment
  <lamtheoguongbac.Handbooks.record_interim_assessment>`; a handbook keeps them in
  ``reviews``.
"""

from lamtheoguongbac._model import Review, Supplement
from lamtheoguongbac._public import publish_namespace

__all__ = ["Review", "Supplement"]


publish_namespace(__name__, {n: globals()[n] for n in __all__})
