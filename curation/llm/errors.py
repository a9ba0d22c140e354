"""What can go wrong talking to an LLM endpoint, one class per cause, each message naming the fix.

They are UserErrors: the CLI prints one line, a page shows it with `show_error`. `chat_many` returns them in place
of a result rather than raising, so one bad response does not lose the rest of a job.
"""
from __future__ import annotations

from ..errors import UserError


class LLMError(UserError):
    """An LLM request failed; the message says why and what to do."""

    fatal = False  # True: every other request of the job would fail the same way, so a job stops at once


class EndpointUnreachable(LLMError):
    """Nothing answers at the base URL (connection refused, DNS, timeout)."""

    fatal = True


class AuthFailed(LLMError):
    """The endpoint refused the API key (401/403)."""

    fatal = True


class ModelNotFound(LLMError):
    """The endpoint does not serve the model (404)."""

    fatal = True


class RateLimited(LLMError):
    """Still rate-limited (429) after every retry."""


class ServerError(LLMError):
    """The endpoint kept failing (5xx) after every retry, or refused the request (4xx)."""


class BadResponse(LLMError):
    """A response that is not a usable chat completion: not JSON, no choices, empty, or cut off at max_tokens."""


class WrongLanguage(BadResponse):
    """The answer is not in the language the request asked for."""
