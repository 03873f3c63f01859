"""The guard's parts, in this process: telling notebook code from library code, and putting namespaces back.

The whole guard, inside a sandboxed kernel, is tested in test_grading_kernel.py.
"""
import torch
import torch.nn.functional as F

from tools.grading.in_sandbox.grading_kernel import compat
from tools.grading.in_sandbox.grading_kernel.interpreter import InterpreterHooks
from tools.grading.in_sandbox.grading_kernel.libraries import CodeOrigin
from tools.grading.in_sandbox.grading_kernel.namespaces import NamespaceSnapshot
from tools.grading.in_sandbox.grading_kernel.tensors import TensorSubclasses


def from_a_cell(source: str, name: str):
    namespace: dict = {}
    exec(compile(source, "/tmp/ipykernel_1/123.py", "exec"), namespace)
    return namespace[name]


def test_code_written_in_a_cell_is_told_from_library_code():
    origin = CodeOrigin()
    assert origin.from_notebook(from_a_cell("def fake(x):\n    return x", "fake"))
    assert origin.from_notebook(from_a_cell("class Callable:\n    def __call__(self):\n        pass\nc = Callable()", "c"))
    assert not origin.from_notebook(F.relu) and not origin.from_notebook(torch.Tensor.sum)
    assert origin.is_library_file(torch.__file__) and not origin.is_library_file("/tmp/ipykernel_1/123.py")


def test_a_replaced_library_function_is_put_back_and_named():
    snapshot = NamespaceSnapshot(CodeOrigin())
    original = F.relu
    F.relu = from_a_cell("def relu(x, inplace=False):\n    return x", "relu")
    try:
        changes = snapshot.restore()
    finally:
        F.relu = original
    assert "torch.nn.functional.relu was replaced" in changes
    assert snapshot.restore() == []


def test_a_method_added_to_a_library_class_is_removed():
    snapshot = NamespaceSnapshot(CodeOrigin())
    torch.nn.Module.planted = from_a_cell("def planted(self):\n    return 1", "planted")
    try:
        changes = snapshot.restore()
        assert "torch.nn.modules.module.Module.planted was added" in changes
        assert not hasattr(torch.nn.Module, "planted")
    finally:
        if "planted" in vars(torch.nn.Module):
            del torch.nn.Module.planted


def test_a_torch_function_mode_left_active_is_removed():
    hooks = InterpreterHooks()
    mode = torch.device("meta")
    mode.__enter__()
    try:
        problems = hooks.restore()
    finally:
        if torch._C._len_torch_function_stack():
            mode.__exit__(None, None, None)
    assert problems == ["a torch function mode was active (it intercepts every torch call)"]
    assert torch.empty(1).device.type == "cpu"


def test_the_torch_internals_the_guard_reads_still_mean_what_it_reads():
    from torch.overrides import TorchFunctionMode
    from torch.utils._python_dispatch import TorchDispatchMode

    assert compat.torch_function_modes() == 0 and compat.torch_dispatch_modes() == 0
    TorchFunctionMode().__enter__()
    TorchDispatchMode().__enter__()
    try:
        assert compat.torch_function_modes() == 1 and compat.torch_dispatch_modes() == 1
    finally:
        while compat.torch_dispatch_modes():
            compat.leave_torch_dispatch_mode()
        while compat.torch_function_modes():
            compat.leave_torch_function_mode()
    assert torch.ones(2).sum().item() == 2.0, "torch runs untouched once the modes are left"


def test_a_torch_dispatch_mode_left_active_is_removed():
    from torch.utils._python_dispatch import TorchDispatchMode

    TorchDispatchMode().__enter__()
    try:
        problems = InterpreterHooks().restore()
    finally:
        while compat.torch_dispatch_modes():
            compat.leave_torch_dispatch_mode()
    assert problems == ["a torch dispatch mode was active (it intercepts every torch call)"]


def test_every_tensor_class_derives_from_the_base_the_guard_watches():
    class Liar(torch.Tensor):
        pass
    base = compat.tensor_base()
    assert issubclass(torch.Tensor, base) and issubclass(torch.nn.Parameter, base) and issubclass(Liar, base)
    assert Liar in TensorSubclasses(CodeOrigin())._all()
