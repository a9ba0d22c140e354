"""LLM endpoints: one OpenAI-compatible client (curation/llm/client.py) with caching, retries and cost accounting
per job, its errors (errors.py) and progress printing for the CLI (progress.py). `openai` is imported lazily."""
from .client import ChatResult, EndpointSettings, LLMClient, request_hash
from .errors import (AuthFailed, BadResponse, EndpointUnreachable, LLMError, ModelNotFound, RateLimited, ServerError,
                     WrongLanguage)

__all__ = ["ChatResult", "EndpointSettings", "LLMClient", "request_hash", "LLMError", "EndpointUnreachable",
           "AuthFailed", "ModelNotFound", "RateLimited", "ServerError", "BadResponse", "WrongLanguage"]
