"""The OpenAPI 3.1 document of the JSON API."""


def document() -> dict:
    return {"openapi": "3.1.0", "info": {"title": "询拍 xunpai API", "version": "1"}, "paths": {}}
