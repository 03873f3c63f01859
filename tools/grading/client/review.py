"""Static review: code in a submission that reaches for what a lab never needs gets a note for a person.

The sandbox and the kernel guard stop or expose cheating as it runs; this reads the student's
code before it runs and names, per cell, each use of the machinery a cheat has to touch: the
kernel and its execution, introspection and dynamic code, library functions replaced from the
notebook, tensor subclasses and torch modes, processes, signals and the file system around the
notebook. Honest lab code uses none of these, so a note is rare and worth a look; a note costs
no points by itself.
"""
from __future__ import annotations

import ast
import functools

import nbformat

from tools import cells

SUSPICIOUS_MODULES = {
    "ctypes", "gc", "inspect", "importlib", "builtins", "IPython", "ipykernel", "jupyter_client", "zmq", "traitlets",
    "threading", "_thread", "multiprocessing", "concurrent", "subprocess", "signal", "socket", "pty", "atexit",
    "marshal", "code", "codeop", "unittest", "sqlite3", "sqlalchemy", "nbgrader", "psutil", "resource",
    "fcntl", "mmap", "dill", "cloudpickle",
}
SUSPICIOUS_SUBMODULES = {"torch.overrides", "torch.utils._python_dispatch", "torch._C", "torch.utils.hooks"}
SUSPICIOUS_CALLS = {
    "exec": "runs code built at run time (exec)", "eval": "runs code built at run time (eval)",
    "compile": "compiles code at run time", "__import__": "imports modules dynamically",
    "globals": "reads the notebook's global namespace", "vars": "reads an object's namespace (vars)",
    "locals": "reads local namespaces", "setattr": "sets attributes by name (setattr)",
    "delattr": "deletes attributes (delattr)", "breakpoint": "starts a debugger",
    "get_ipython": "reaches into the kernel (get_ipython)",
}
SUSPICIOUS_NAMES = {
    "__builtins__": "touches Python's builtins", "__grading__": "touches the grader's guard",
    "In": "reads the kernel's input history", "Out": "reads the kernel's output history",
    "_ih": "reads the kernel's input history", "_oh": "reads the kernel's output history",
    "__file__": "looks for files of the course",
}
SUSPICIOUS_ATTRIBUTES = {
    "__dict__": "edits an object's namespace",
    "__subclasses__": "lists subclasses", "__globals__": "reads a function's globals",
    "__code__": "reads or replaces a function's code", "__closure__": "reads a function's closure",
    "__defaults__": "changes a function's defaults", "__kwdefaults__": "changes a function's defaults",
    "__bases__": "changes a class's bases", "__mro__": "walks a class hierarchy",
    "__init_subclass__": "hooks class creation", "__torch_function__": "intercepts torch functions",
    "__torch_dispatch__": "intercepts torch operations", "__setattr__": "calls or replaces __setattr__",
    "__delattr__": "calls or replaces __delattr__", "__getattribute__": "replaces attribute lookup",
    "__reduce__": "customises pickling", "__reduce_ex__": "customises pickling", "__builtins__": "touches Python's builtins",
    "f_locals": "reads or edits a running frame", "f_globals": "reads a running frame's globals",
    "f_back": "walks the call stack", "f_code": "walks the call stack", "tb_frame": "walks the call stack",
    "gi_frame": "walks a generator's frame", "cr_frame": "walks a coroutine's frame",
    "_getframe": "walks the call stack", "settrace": "installs a trace function", "setprofile": "installs a profile function",
    "modules": None,     # only as sys.modules (see below)
    "custom_exceptions": "changes how the kernel reports errors", "set_custom_exc": "changes how the kernel reports errors",
    "showtraceback": "changes how the kernel reports errors", "_showtraceback": "changes how the kernel reports errors",
    "run_cell": "reaches the kernel's execution", "run_code": "reaches the kernel's execution",
    "run_ast_nodes": "reaches the kernel's execution", "display_pub": "reaches the kernel's output",
    "user_ns": "reaches the kernel's namespace", "kill": "sends signals to processes", "killpg": "sends signals to processes",
    "fork": "starts processes", "forkpty": "starts processes", "_exit": "stops the kernel", "system": "runs shell commands",
    "popen": "runs shell commands", "Popen": "runs shell commands", "spawnv": "starts processes", "execv": "starts programs",
    "execve": "starts programs", "setsid": "detaches processes", "rmtree": "deletes folders", "unlink": "deletes files",
    "remove": None, "rmdir": "deletes folders", "rename": "moves files", "walk": "searches the file system",
    "rglob": "searches the file system",
    "parents": "walks up the folder tree", "exit": None,
}
MODULE_ATTRIBUTES = {("sys", "modules"): "edits imported modules", ("sys", "exit"): "stops the kernel",
                     ("os", "remove"): "deletes files", ("sys", "path"): "changes where imports come from",
                     ("sys", "meta_path"): "changes how imports work", ("sys", "displayhook"): "changes how results show",
                     ("sys", "excepthook"): "changes how errors show"}
SUBCLASS_BASES = {"Tensor": "defines a subclass of torch.Tensor", "Parameter": "defines a subclass of nn.Parameter",
                  "TorchFunctionMode": "defines a torch function mode", "TorchDispatchMode": "defines a torch dispatch mode",
                  "ndarray": "defines a subclass of numpy.ndarray"}
IPYTHON_MAGIC_METHODS = {"run_line_magic", "run_cell_magic", "system", "getoutput"}
HARMLESS_MAGICS = {"matplotlib", "time", "timeit", "who", "whos", "pwd", "pinfo", "pinfo2", "psearch", "history",
                   "precision", "prun", "lsmagic", "magic", "env"}
PATH_WORDS = ("solutions", "gradebook", "submitted", "autograded", "/proc", "../")
TENSOR_METHODS = frozenset({
    "abs", "all", "allclose", "any", "argmax", "backward", "clamp", "clone", "cpu", "detach", "double", "eq", "equal",
    "exp", "flatten", "float", "ge", "gt", "isclose", "item", "le", "log", "lt", "max", "mean", "min", "ne", "norm",
    "numel", "numpy", "pow", "reshape", "size", "sqrt", "std", "sub", "sum", "to", "tolist", "var", "view",
})


def code_of(source: str) -> str:
    """A cell's source as plain Python (IPython magics and shell escapes turned into calls)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(source)
    except Exception:  # IPython missing or a transform error: review the source as it stands
        return source


class _Reviewer(ast.NodeVisitor):
    def __init__(self, module_names: set[str]) -> None:
        self.module_names = module_names          # names bound by imports anywhere in the notebook
        self.findings: list[str] = []

    def add(self, finding: str | None) -> None:
        if finding and finding not in self.findings:
            self.findings.append(finding)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._check_module(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module:
            self._check_module(node.module)
            for alias in node.names:
                self._check_module(f"{node.module}.{alias.name}", exact=True)

    def _check_module(self, name: str, exact: bool = False) -> None:
        top = name.split(".")[0]
        if not exact and top in SUSPICIOUS_MODULES:
            self.add(f"imports {name}")
        if any(name == m or name.startswith(m + ".") for m in SUSPICIOUS_SUBMODULES):
            self.add(f"imports {name}")

    def visit_Call(self, node: ast.Call) -> None:
        magic = _ipython_call(node)
        if magic is not None:
            method, name = magic
            if method == "system" or method == "getoutput":
                self.add("runs shell commands (!)")
            elif name not in HARMLESS_MAGICS:
                self.add(f"uses the IPython magic %{name}")
            for argument in node.args:
                self.visit(argument)
            return
        if isinstance(node.func, ast.Name) and node.func.id in SUSPICIOUS_CALLS:
            self.add(SUSPICIOUS_CALLS[node.func.id])
        if isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) >= 2:
            name = node.args[1]
            if not isinstance(name, ast.Constant):
                self.add("looks up attributes by computed names (getattr)")
            elif isinstance(name.value, str) and name.value.startswith("__"):
                self.add(f"looks up {name.value} with getattr")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        self.add(SUSPICIOUS_NAMES.get(node.id))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        base = _root_name(node)
        pair = (base, node.attr) if isinstance(node.value, ast.Name) else None
        if pair in MODULE_ATTRIBUTES:
            self.add(MODULE_ATTRIBUTES[pair])
        elif node.attr in SUSPICIOUS_ATTRIBUTES:
            self.add(SUSPICIOUS_ATTRIBUTES[node.attr])
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            if node.attr == "__class__":
                self.add("changes an object's class")
            chain = _dotted(node)
            if base in self.module_names:
                self.add(f"{'assigns to' if isinstance(node.ctx, ast.Store) else 'deletes'} {chain}, part of a library")
            elif node.attr in TENSOR_METHODS and base not in {"self", "cls"}:
                self.add(f"overrides {node.attr!r}, a tensor method, on {chain.rsplit('.', 1)[0]}")
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for base in node.bases:
            name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
            self.add(SUBCLASS_BASES.get(name) or ("derives a class from an object's class" if name == "__class__" else None))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            for word in PATH_WORDS:
                if word in node.value:
                    self.add(f"names a path with {word!r} in it")


def _ipython_call(node: ast.Call) -> tuple[str, str] | None:
    """(method, magic name) for `get_ipython().run_line_magic('name', ...)` and the like, as magics become."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr in IPYTHON_MAGIC_METHODS
            and isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name)
            and func.value.func.id == "get_ipython" and not func.value.args):
        return None
    first = node.args[0] if node.args else None
    return func.attr, first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""


def _root_name(node: ast.AST) -> str:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else ""


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    parts.append(node.id if isinstance(node, ast.Name) else "...")
    return ".".join(reversed(parts))


def module_names(nb: nbformat.NotebookNode) -> set[str]:
    """Names that import statements bind anywhere in the notebook (`torch`, `F`, `nn`, `cu`, ...)."""
    names = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            names |= _names_imported_by(cell.source)
    return names


@functools.lru_cache(maxsize=4096)
def _names_imported_by(source: str) -> frozenset[str]:
    """The names one cell's imports bind (cached: every submission repeats the lab's own cells)."""
    try:
        tree = ast.parse(code_of(source))
    except SyntaxError:
        return frozenset()
    return frozenset(alias.asname or alias.name.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names)


def review_cell(source: str, library_names: set[str]) -> list[str]:
    """What one cell's code does that a lab never needs (empty for ordinary code)."""
    try:
        tree = ast.parse(code_of(source))
    except SyntaxError:
        return []
    reviewer = _Reviewer(library_names)
    reviewer.visit(tree)
    return reviewer.findings


def review(nb: nbformat.NotebookNode, release_nb: nbformat.NotebookNode) -> list[str]:
    """One note per cell of the student's own code that needs a person's look."""
    release_sources = {cell.source for cell in release_nb.cells}
    names = module_names(release_nb) | module_names(nb)
    notes = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or cell.source in release_sources:
            continue
        findings = review_cell(cell.source, names)
        if findings:
            notes.append(f"Review: cell {cells.label(cell, index)} {', '.join(findings[:4])}"
                         f"{f' (and {len(findings) - 4} more)' if len(findings) > 4 else ''}.")
    return notes
