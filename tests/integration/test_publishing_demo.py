"""The demo data of publishing and custody builds on both backends and is ready to publish."""

from sqlalchemy import func, select

from xunpai.demo import lots as demo
from xunpai.services.publishing import _missing
from xunpai.storage.models.custody import CustodyItem, ServiceProvider, ViewingSlot
from xunpai.storage.models.lots import Lot


def test_demo_lots_custody_and_providers(session):
    demo.build(session, {"courts": ["浙1099"]})
    session.flush()
    lots = list(session.scalars(select(Lot)))
    assert len(lots) == demo.LOTS and {lot.court_code for lot in lots} == {"浙1099"}
    assert all(_missing(lot) == [] for lot in lots)
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert (count(ServiceProvider), count(CustodyItem), count(ViewingSlot)) == (3, 2, 2)
