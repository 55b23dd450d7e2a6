"""The roster (danh sách tổ chức và đảng viên): what ``handbooks.roster`` reads and returns.

:class:`Roster` is what an import read (units and members); :class:`OrgTree` is the
organisation tree (cây tổ chức) with its chains, subtrees and grassroots organisations.
"""

from lamtheoguongbac._orgtree import OrgTree
from lamtheoguongbac._public import publish_namespace
from lamtheoguongbac._roster import Roster

__all__ = ["OrgTree", "Roster"]


publish_namespace(__name__, {n: globals()[n] for n in __all__})
