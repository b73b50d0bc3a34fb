"""Product QA of the local platform: the address `xunpai platform serve` prints must open a page."""

from tests.unit.test_publishing_local_server import _post, client, package  # noqa: F401 (fixtures)


def test_the_printed_address_lists_the_published_lots(client, package):  # noqa: F811
    empty = client.get("/")  # before: an English “404 Not Found”
    assert empty.status_code == 200 and "尚无发布的标的" in empty.get_data(as_text=True)
    published = _post(client, package, "k1").json
    page = client.get("/").get_data(as_text=True)
    assert "共 1 个标的" in page and f"/lots/{published['remote_id']}" in page and "V00001" in page
