"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode (thread-local, as in PyTorch)."""
import functools
import inspect
import threading
from .._checks import check_bool

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]


class _State(threading.local):
    enabled = True
    inference = False
    anomaly = False


STATE = _State()


def is_grad_enabled():
    """True when operations record autograd history in this thread."""
    return STATE.enabled


def is_inference_mode_enabled():
    return STATE.inference


class _GradModeBase:
    """Context manager that is also a decorator (for functions and generator functions)."""

    def __call__(self, func):
        if isinstance(func, type):
            raise TypeError("grad-mode decorators apply to functions, not classes")
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen_wrapper(*args, **kwargs):
                gen = func(*args, **kwargs)
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        gen.close()
                        raise
                    with self.clone():
                        try:
                            response = gen.send(request)
                        except StopIteration as e:
                            return e.value
            return gen_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_GradModeBase):
    """Disable gradient recording inside the block (``torch.no_grad``)."""

    def __init__(self, orig_func=None):
        self._func = orig_func

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if orig_func is not None and callable(orig_func):
            self.__init__()
            return self(orig_func)
        return self

    def __enter__(self):
        self.prev = STATE.enabled
        STATE.enabled = False

    def __exit__(self, *exc):
        STATE.enabled = self.prev


class enable_grad(no_grad):
    """Enable gradient recording inside the block (``torch.enable_grad``)."""

    def __enter__(self):
        self.prev = STATE.enabled
        STATE.enabled = True


class set_grad_enabled(_GradModeBase):
    """Set grad mode on or off; takes effect at once, or as a context manager (``torch.set_grad_enabled``)."""

    def __init__(self, mode):
        self.prev = STATE.enabled
        self.mode = check_bool("set_grad_enabled", mode, "enabled", 1)
        STATE.enabled = self.mode

    def __call__(self, func):
        # Used as a decorator: the mode applies inside the function only.
        STATE.enabled = self.prev
        return super().__call__(func)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        STATE.enabled = self.prev

    def clone(self):
        return set_grad_enabled(self.mode)


class inference_mode(_GradModeBase):
    """Like no_grad; tensors made inside are inference tensors (``torch.inference_mode``)."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if not isinstance(mode, bool):  # anything else is a function to decorate, as PyTorch
            self.__init__(True)
            return self(mode)
        return self

    def __init__(self, mode=True):
        self.mode = bool(mode) if not callable(mode) else True

    def __enter__(self):
        self.prev = (STATE.enabled, STATE.inference)
        if self.mode:
            STATE.enabled, STATE.inference = False, True

    def __exit__(self, *exc):
        STATE.enabled, STATE.inference = self.prev

    def clone(self):
        return inference_mode(self.mode)
