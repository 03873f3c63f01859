"""The guarded grading kernel, with one module per concern.

    protocol      names the worker and the kernel share (the guard's name, the token's MIME type, errors)
    libraries     what every kernel imports first, and which files count as library code
    compat        the torch internals the guard inspects, each behind a named function
    namespaces    pristine namespaces of the watched modules and classes, and assignments watched as they happen
    tensors       tensor methods overridden on one tensor, and subclasses of torch.Tensor
    shell         IPython's shell, display publisher and event callbacks
    interpreter   trace and profile hooks, torch function and dispatch modes, threads the notebook started
    guard         `__grading__`: begin and end of every graded test cell, and the signed token
    boot          starting a kernel with the guard installed
    fork_server   a server that forks kernels already past their imports

The package itself holds the protocol's names: the worker imports them from here (importing the
package loads nothing else), never a module of the kernel.
"""
from .protocol import GUARD_NAME, TAMPER_ERROR, TOKEN_MIME, GradingTamperError

__all__ = ["GUARD_NAME", "TAMPER_ERROR", "TOKEN_MIME", "GradingTamperError"]
