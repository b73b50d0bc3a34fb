"""The demo data of publishing and custody builds on both backends and is ready to publish."""

from sqlalchemy import func, select

from xunpai.demo import lots as demo
from xunpai.services.publishing import _missing
from xunpai.storage.models.custody import CustodyItem, ServiceProvider, ViewingSlot
from xunpai.storage.models.lots import Lot


def test_demo_lots_custody_and_providers(uow):
    demo.build(uow, {"courts": ["浙1099"]})
    uow.session.flush()
    lots = list(uow.session.scalars(select(Lot)))
    assert len(lots) == demo.LOTS and {lot.court_code for lot in lots} == {"浙1099"}
    assert all(_missing(lot) == [] for lot in lots)
    count = lambda model: uow.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert (count(ServiceProvider), count(CustodyItem), count(ViewingSlot)) == (3, 2, 2)
