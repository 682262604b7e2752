"""Exercise: LoRA's gradients at the first step. With B = 0, only B gets a
gradient; with A = B = 0, neither does, at any step."""

import torch

torch.manual_seed(0)
D_IN, D_OUT, RANK, ALPHA = 8, 6, 2, 4
scale = ALPHA / RANK
W0 = torch.randn(D_OUT, D_IN)  # the frozen weight
x = torch.randn(D_IN)
target = torch.randn(D_OUT)


def gradients(A, B):
    """Gradients of a squared error through h = W0 x + (alpha / r) B A x, by
    autograd and by formula."""
    A, B = A.clone().requires_grad_(True), B.clone().requires_grad_(True)
    h = W0 @ x + scale * B @ (A @ x)
    loss = ((h - target) ** 2).sum()
    loss.backward()
    g = 2 * (h - target).detach()  # dL/dh
    # s g (Ax)^T
    torch.testing.assert_close(B.grad, scale * torch.outer(g, A.detach() @ x))
    # s B^T g x^T
    torch.testing.assert_close(A.grad, scale * torch.outer(B.detach().T @ g, x))
    return A.grad, B.grad


lora_start = gradients(torch.randn(RANK, D_IN), torch.zeros(D_OUT, RANK))
both_zero = gradients(torch.zeros(RANK, D_IN), torch.zeros(D_OUT, RANK))
assert lora_start[0].abs().max() == 0 and lora_start[1].abs().max() > 0
assert both_zero[0].abs().max() == 0 and both_zero[1].abs().max() == 0
for name, (grad_A, grad_B) in [("A random, B = 0", lora_start),
                               ("A = B = 0", both_zero)]:
    print(f"{name:16}: |dL/dA| = {grad_A.norm():.4f}, |dL/dB| = "
          f"{grad_B.norm():.4f}")
print("both gradients equal the formulas s B^T g x^T and s g (A x)^T")
