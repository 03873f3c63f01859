"""The guarded grading kernel, with one module per concern.

    protocol      names the grader and the kernel share (the guard's name, the token's MIME type, errors)
    libraries     what every kernel imports first, and which files count as library code
    namespaces    pristine namespaces of the watched modules and classes, and assignments watched as they happen
    tensors       tensor methods overridden on one tensor, and subclasses of torch.Tensor
    shell         IPython's shell, display publisher and event callbacks
    interpreter   trace and profile hooks, torch function and dispatch modes, threads the notebook started
    guard         `__grading__`: begin and end of every graded test cell, and the signed token
    boot          starting a kernel with the guard installed
    fork_server   a server that forks kernels already past their imports
"""
