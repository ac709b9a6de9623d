"""The SLO documents as generated files: ``docs/<service>.md`` and ``docs/README.md``."""

from __future__ import annotations

from slogen.docs.index import index_page
from slogen.docs.links import DOCS_DIR, INDEX, page
from slogen.docs.page import service_page
from slogen.model import Model


def slo_documents(model: Model) -> dict[str, bytes]:
    """A page per service and the index, each a pure function of the model."""
    files = {
        f"{DOCS_DIR}/{page(service.name)}": service_page(model, service).encode("utf-8")
        for service in model.services
    }
    files[f"{DOCS_DIR}/{INDEX}"] = index_page(model).encode("utf-8")
    return files
