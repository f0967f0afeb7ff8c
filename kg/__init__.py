"""kg: a claim and fact-tracking knowledge graph.

The pipeline, one subpackage a stage:

    read     files, folders, stdin  -> Document
    extract  Document (spaCy)       -> Claim
    resolve  names within/across documents -> canonical entities
    build    Document + Claims      -> RDF quads / NetworkX graph
    store    quads                  -> embedded on-disk Oxigraph store
    query    store                  -> "who claimed what, when, where"
    export   store                  -> Turtle, TriG, N-Quads, JSON-LD, GraphML
"""

__version__ = "0.1.0"
