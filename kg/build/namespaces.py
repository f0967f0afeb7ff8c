"""IRIs of the vocabularies the claim graph uses, and the prefix map for serialising.

``KG`` is our own vocabulary (declared in ``schemas/kg.ttl``); ``KGR`` is where our
resources (articles, claims, entities, ...) live.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

KG = "https://w3id.org/kg-claims/ns#"
KGR = "https://w3id.org/kg-claims/id/"
SCHEMA = "http://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"

#: prefix -> namespace, for Turtle output and as default SPARQL prefixes.
PREFIXES: dict[str, str] = {
    "kg": KG,
    "kgr": KGR,
    "schema": SCHEMA,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
}

#: The same map as SPARQL ``PREFIX`` lines, for queries that need to be self-contained.
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


class Namespace:
    """``KG_NS.Claim`` / ``KG_NS["contentStart"]`` -> ``NamedNode``."""

    def __init__(self, base: str) -> None:
        self._base = base

    @property
    def base(self) -> str:
        return self._base

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        return NamedNode(self._base + name)

    def __getitem__(self, name: str) -> NamedNode:
        return NamedNode(self._base + name)

    def __repr__(self) -> str:
        return f"Namespace({self._base!r})"


KG_NS = Namespace(KG)
KGR_NS = Namespace(KGR)
SCHEMA_NS = Namespace(SCHEMA)
PROV_NS = Namespace(PROV)
RDF_NS = Namespace(RDF)
RDFS_NS = Namespace(RDFS)
XSD_NS = Namespace(XSD)
OWL_NS = Namespace(OWL)

RDF_TYPE = RDF_NS.type
