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


def test_a_failed_check_shows_its_message_without_the_traceback_in_ipython():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output
    shell = InteractiveShell.instance()
    shell.run_cell("import course_utils as cu, torch")
    with capture_output() as captured:
        result = shell.run_cell('cu.check_close("mu", torch.tensor([1.0]), torch.tensor([2.0]), hint="use to_mu")')
    assert isinstance(result.error_in_exec, cu.CheckError)
    shown = captured.stdout + captured.stderr
    assert "Check failed:" in shown and "mu got 1, expected 2" in shown and "Hint: use to_mu" in shown
    assert "Traceback" not in shown and "checks.py" not in shown and "_fail" not in shown
    assert cu.CheckError("one\n  Hint: two")._render_traceback_()[1:] == ["  Hint: two"]


def test_check_gradients_passes_a_trainable_loss_and_returns_its_gradients():
    weight = torch.tensor([1.0, -2.0], requires_grad=True)
    loss = (weight ** 2).sum()
    gradients = cu.check_gradients("the loss", loss, {"the weights": weight})
    assert torch.equal(gradients["the weights"], torch.tensor([2.0, -4.0]))


@pytest.mark.parametrize("make_loss, message", [
    (lambda w, other: torch.tensor((w ** 2).sum().item()), "carries no gradient"),
    (lambda w, other: (w ** 2).sum().detach(), "carries no gradient"),
    (lambda w, other: (other ** 2).sum(), "no gradient of the loss reaches the weights"),
    (lambda w, other: (w.round() ** 2).sum() + (other ** 2).sum(), "is zero everywhere"),
    (lambda w, other: w.abs().sqrt().sum() + (other ** 2).sum(), "is not finite"),
    (lambda w, other: w ** 2, r"has shape \(2,\); expected \(\)"),
])
def test_check_gradients_names_a_loss_that_cannot_train(make_loss, message):
    weight = torch.tensor([0.0, 2.0], requires_grad=True)
    other = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(cu.CheckError, match=message):
        cu.check_gradients("the loss", make_loss(weight, other), {"the weights": weight})


def test_check_moments_accepts_a_right_sampler_and_names_a_wrong_mean_or_spread():
    generator = torch.Generator().manual_seed(0)
    draws = 3 + 2 * torch.randn(20000, 2, generator=generator)
    cu.check_moments("z", draws, mean=3.0, std=torch.tensor([2.0, 2.0]))
    with pytest.raises(cu.CheckError, match=r"the standard deviation of 20000 draws of z at position \(0,\) is 2"):
        cu.check_moments("z", draws, mean=3.0, std=4.0)                  # std taken for the variance
    with pytest.raises(cu.CheckError, match="the mean of 20000 draws of z"):
        cu.check_moments("z", draws - 0.2, mean=3.0, std=2.0)
    with pytest.raises(cu.CheckError, match="at least 2 are needed"):
        cu.check_moments("z", draws[:1], mean=3.0, std=2.0)


def test_check_frequencies_accepts_a_right_sampler_and_names_the_wrong_category():
    generator = torch.Generator().manual_seed(0)
    probs = torch.tensor([0.5, 0.25, 0.25])
    cu.check_frequencies("tokens", torch.multinomial(probs, 30000, replacement=True, generator=generator), probs)
    uniform = torch.randint(0, 3, (30000,), generator=generator)
    with pytest.raises(cu.CheckError, match=r"category 0 came up in 3\d\.\d\d% of 30000 draws of tokens; expected 50\.00%"):
        cu.check_frequencies("tokens", uniform, probs)
    with pytest.raises(cu.CheckError, match="outside the categories 0..2"):
        cu.check_frequencies("tokens", uniform + 1, probs)
    with pytest.raises(cu.CheckError, match="integer tensor"):
        cu.check_frequencies("tokens", uniform.float(), probs)


def test_needs_names_what_to_run_first_and_passes_when_it_ran():
    cu.needs({"best_name": "flow matching"}, best_name="the guidance sweep above")
    with pytest.raises(cu.CheckError, match=r"this cell needs `best_name` from the guidance sweep above \(it needs "
                                            r"Exercise 8\): run that first\."):
        cu.needs({}, best_name="the guidance sweep above (it needs Exercise 8)")
