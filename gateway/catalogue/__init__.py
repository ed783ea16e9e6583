"""The catalogue: products, brands and categories; the in-process mirror, search and pages; the
JSON Lines import; commerce-backend connectors.

Public face of the area: other areas and the resolvers import only what is listed here.
"""

from gateway.catalogue.connectors import open_connector_store
from gateway.catalogue.import_report import ImportReport
from gateway.catalogue.importer import import_jsonl, load_catalog
from gateway.catalogue.jsonl import load_jsonl, write_jsonl
from gateway.catalogue.service import CatalogService, ProductPage, ProductQuery
from gateway.catalogue.stores import CatalogFeed, CatalogStore, create_indexes, open_store

# The embedded implementation, for offline tools that run the served code in one process.
from gateway.catalogue.stores.memory import MemoryCatalogStore
from gateway.catalogue.values import (
    DEFAULT_LOCALE,
    SUPPORTED_LOCALES,
    Attribute,
    Brand,
    BrandId,
    CatalogueContents,
    Category,
    CategoryId,
    Image,
    LocalizedCategory,
    LocalizedProduct,
    Money,
    PriceRange,
    Product,
    ProductFilter,
    ProductId,
    ProductSort,
    Translation,
    content_hash,
    fold,
    matches,
)

__all__ = [
    "DEFAULT_LOCALE",
    "SUPPORTED_LOCALES",
    "Attribute",
    "Brand",
    "BrandId",
    "CatalogFeed",
    "CatalogService",
    "CatalogStore",
    "CatalogueContents",
    "Category",
    "CategoryId",
    "Image",
    "ImportReport",
    "LocalizedCategory",
    "LocalizedProduct",
    "MemoryCatalogStore",
    "Money",
    "PriceRange",
    "Product",
    "ProductFilter",
    "ProductId",
    "ProductPage",
    "ProductQuery",
    "ProductSort",
    "Translation",
    "content_hash",
    "create_indexes",
    "fold",
    "import_jsonl",
    "load_catalog",
    "load_jsonl",
    "matches",
    "open_connector_store",
    "open_store",
    "write_jsonl",
]
