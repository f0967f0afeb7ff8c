"""Build stage: Document + Claims -> RDF quads (:mod:`kg.build.rdf`) and the
claims-as-nodes NetworkX graph (:mod:`kg.build.network`)."""
