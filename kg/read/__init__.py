"""The read stage: files, directories and stdin in, :class:`~kg.records.Document` records out."""

from kg.read.documents import SUPPORTED_FORMATS, ReadProblem, content_id, count_documents, iter_documents, read_documents

__all__ = ["SUPPORTED_FORMATS", "ReadProblem", "content_id", "count_documents", "iter_documents", "read_documents"]
