"""Errors the user can act on. The CLI prints them as one line; pages show them with st.error."""


class UserError(Exception):
    """A problem with the user's input; shown as one line, no traceback."""


class ConflictError(UserError):
    """A save was made from a stale copy of a sample (someone else saved first)."""

    def __init__(self, message: str, current: dict | None = None):
        super().__init__(message)
        self.current = current
