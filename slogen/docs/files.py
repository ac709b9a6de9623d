"""The SLO documents as generated files: ``docs/<service>.md`` and ``docs/README.md``."""

from __future__ import annotations

from collections.abc import Mapping

from slogen.coverage import Coverage
from slogen.docs.index import index_page
from slogen.docs.links import INDEX, page
from slogen.docs.page import service_page
from slogen.layout import DOCS_DIR
from slogen.model import Model, Service


def service_document(
    model: Model, service: Service, proven: Mapping[tuple[str, str], Coverage]
) -> dict[str, bytes]:
    """``docs/<service>.md``."""
    return {f"{DOCS_DIR}/{page(service.name)}": service_page(model, service, proven).encode()}


def index_document(model: Model) -> dict[str, bytes]:
    """``docs/README.md``: every service, so rebuilt on any change."""
    return {f"{DOCS_DIR}/{INDEX}": index_page(model).encode("utf-8")}
