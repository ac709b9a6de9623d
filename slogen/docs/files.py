"""The SLO documents as generated files: ``docs/<service>.md`` and ``docs/README.md``."""

from __future__ import annotations

from collections.abc import Mapping

from slogen.coverage import Coverage
from slogen.docs.index import index_page
from slogen.docs.links import INDEX, page
from slogen.docs.page import service_page
from slogen.layout import DOCS_DIR
from slogen.model import Model, Service


def slo_documents(model: Model, proven: Mapping[tuple[str, str], Coverage]) -> dict[str, bytes]:
    """A page per service and the index, each a pure function of the model and of what
    the proofs prove of each SLO (by ``(service, slo)``)."""
    files = {}
    for service in model.services:
        files.update(service_document(model, service, proven))
    return files | index_document(model)


def service_document(
    model: Model, service: Service, proven: Mapping[tuple[str, str], Coverage]
) -> dict[str, bytes]:
    """``docs/<service>.md``."""
    return {f"{DOCS_DIR}/{page(service.name)}": service_page(model, service, proven).encode()}


def index_document(model: Model) -> dict[str, bytes]:
    """``docs/README.md``: every service, so rebuilt on any change."""
    return {f"{DOCS_DIR}/{INDEX}": index_page(model).encode("utf-8")}
