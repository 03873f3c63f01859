"""The check helpers of the check cells: they raise with what was checked, expected and found, and a hint."""
import pytest
import torch

import course_utils as cu


def test_check_error_is_an_assertion_error():
    assert issubclass(cu.CheckError, AssertionError)


def test_check_passes_and_fails_with_hint():
    cu.check(True, "never shown")
    with pytest.raises(cu.CheckError, match=r"mu is wrong\n  Hint: use to_mu"):
        cu.check(False, "mu is wrong", hint="use to_mu")


def test_check_tensor_shape_message_says_expected_and_got():
    cu.check_tensor("mu", torch.zeros(8, 20), (8, 20))
    cu.check_tensor("mu", torch.zeros(8, 20), (None, 20))
    with pytest.raises(cu.CheckError, match=r"mu has shape \(8, 784\); expected \(8, 20\)\."):
        cu.check_tensor("mu", torch.zeros(8, 784), (8, 20))
    with pytest.raises(cu.CheckError, match=r"shape \(4,\); expected \(\*, 4, 1\)"):
        cu.check_tensor("x", torch.zeros(4), (None, 4, 1))


def test_check_tensor_type_and_dtype():
    with pytest.raises(cu.CheckError, match="should be a torch.Tensor, but got list"):
        cu.check_tensor("z", [1, 2])
    with pytest.raises(cu.CheckError, match="dtype torch.int64; expected torch.float32"):
        cu.check_tensor("z", torch.zeros(2, dtype=torch.long), dtype=torch.float32)


def test_check_scalar():
    cu.check_scalar("loss", torch.tensor(1.5))
    with pytest.raises(cu.CheckError, match=r"shape \(3,\); expected \(\)"):
        cu.check_scalar("loss", torch.ones(3))
    with pytest.raises(cu.CheckError, match="floating-point"):
        cu.check_scalar("loss", torch.tensor(3))
    with pytest.raises(cu.CheckError, match="finite"):
        cu.check_scalar("loss", torch.tensor(float("inf")))


def test_check_range_reports_the_span():
    cu.check_range("x_hat", torch.tensor([0.0, 0.5, 1.0]), 0.0, 1.0)
    with pytest.raises(cu.CheckError, match=r"x_hat should lie in \[0.0, 1.0\], but its values span \[-2, 3\]"):
        cu.check_range("x_hat", torch.tensor([-2.0, 3.0]), 0.0, 1.0)


def test_check_close_reports_the_worst_value_and_tolerance():
    cu.check_close("kl", torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-7]))
    with pytest.raises(cu.CheckError, match=r"1 of 3 values; worst at index \(1,\): got 2, expected 2.5"):
        cu.check_close("kl", torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.5, 3.0]))
    with pytest.raises(cu.CheckError, match=r"worst at index \(1, 0\)"):
        cu.check_close("m", torch.tensor([[0.0], [5.0]]), torch.zeros(2, 1))


def test_check_close_catches_nan_and_shape_mismatch():
    with pytest.raises(cu.CheckError, match="got nan, expected 0"):
        cu.check_close("z", torch.tensor([float("nan")]), torch.tensor([0.0]))
    with pytest.raises(cu.CheckError, match=r"shape \(2,\); expected \(3,\)"):
        cu.check_close("z", torch.zeros(2), torch.zeros(3))
    with pytest.raises(cu.CheckError, match="should be a torch.Tensor"):
        cu.check_close("z", [0.0], torch.zeros(1))


def test_check_close_on_scalars():
    cu.check_close("loss", torch.tensor(3.0), 3.0)
    with pytest.raises(cu.CheckError, match="got 3, expected 4"):
        cu.check_close("loss", torch.tensor(3.0), 4.0)


def test_a_known_mistake_is_named_when_its_value_comes_back():
    mistakes = [(-0.5, "the sign of the KL is flipped"), (1.0, "the one half is missing")]
    with pytest.raises(cu.CheckError, match=r"kl got -0.5, expected 0.5 .*\n  Hint: that is the value you get when "
                                            r"the sign of the KL is flipped"):
        cu.check_close("kl", torch.tensor(-0.5), 0.5, mistakes=mistakes, hint="general")
    with pytest.raises(cu.CheckError, match="the one half is missing"):
        cu.check_close("kl", torch.tensor([1.0, 1.0]), torch.tensor([0.5, 0.5]), mistakes=mistakes)
    with pytest.raises(cu.CheckError, match="Hint: general"):
        cu.check_close("kl", torch.tensor(7.0), 0.5, mistakes=mistakes, hint="general")
    wrong_tensor = torch.tensor([[1.0, 2.0]])
    with pytest.raises(cu.CheckError, match="swapped"):
        cu.check_close("z", torch.tensor([[1.0, 2.0]]), torch.tensor([[2.0, 1.0]]), mistakes=[(wrong_tensor, "swapped")])


def test_the_device_check_fails_tensors_made_on_the_default_device_and_passes_the_rest():
    mu = torch.zeros(3, 2)
    for correct in (lambda: mu + torch.randn_like(mu), lambda: mu + torch.randn(mu.shape, device=mu.device),
                    lambda: torch.distributions.Normal(mu, torch.ones_like(mu)).rsample(),
                    lambda: mu + torch.tensor(2.0) * mu, lambda: (mu, mu.new_zeros(3))):
        cu.check_device("reparametrize", correct)
    with pytest.raises(cu.CheckError, match="mixes devices: on a GPU it would stop"):
        cu.check_device("reparametrize", lambda: mu + torch.randn(mu.shape))
    with pytest.raises(cu.CheckError, match="(?s)made on the default device.*Hint: make new tensors where"):
        cu.check_device("one_hot", lambda: torch.zeros(2, 5).scatter_(1, torch.tensor([[1], [3]]), 1.0))
    assert torch.empty(1).device.type == "cpu", "the default device is the CPU again afterwards"
    with pytest.raises(ValueError):
        cu.check_device("anything", lambda: (_ for _ in ()).throw(ValueError("not about devices")))


def test_a_call_that_raises_becomes_a_check_error_naming_the_call():
    assert cu.check_call("f()", lambda: 3) == 3
    with pytest.raises(cu.CheckError, match=r"Encoder\(\)\(x\) raised RuntimeError: shapes cannot be multiplied\n  Hint: "
                                            r"flatten x"):
        cu.check_call("Encoder()(x)", lambda: (_ for _ in ()).throw(RuntimeError("shapes cannot be multiplied\nmore")),
                      hint="flatten x")
    with pytest.raises(cu.CheckError, match="not written yet"):
        cu.check_call("f()", lambda: (_ for _ in ()).throw(NotImplementedError()))
    with pytest.raises(cu.CheckError, match="inner"):
        cu.check_call("f()", lambda: cu.check(False, "inner"))


def test_passed_prints_one_line(capsys):
    cu.passed("all good")
    assert capsys.readouterr().out == "\N{HEAVY CHECK MARK} all good\n"
