"""Training compute C ~ 6 N D for GPT-3, and what it means in GPU-days."""

N_PARAMETERS = 175.0e9  # Brown et al. 2020, Table 2.1
# Brown et al. 2020, section 2.2 and Table
# D.1: every model was trained on 300B tokens
N_TOKENS = 300e9
# Brown et al. 2020, Table D.1, "Total train compute (flops)"
PAPER_FLOPS = 3.14e23
PAPER_PF_DAYS = 3.64e3  # the same table's "Total train compute (PF-days)"
# FLOP/s, NVIDIA V100 SXM2 tensor-core peak
# (datasheet); GPT-3 was trained on V100s (2.3)
V100_PEAK = 125e12
# model FLOPs utilisation estimated for GPT-3's
# training run: Chowdhery et al. 2022, Table 3
GPT3_MFU = 0.213
SECONDS_PER_DAY = 86_400

# Each parameter costs 2 FLOPs per token in the forward pass (a multiply and an
# add) and about twice that in the backward pass (gradients for the activations
# and for the weights): 6 in all (Kaplan et al. 2020, 2.1).
flops = 6 * N_PARAMETERS * N_TOKENS
print(f"C = 6 N D = 6 x {N_PARAMETERS:.3g} x {N_TOKENS:.3g} = {flops:.3g} FLOPs "
      f"(paper: {PAPER_FLOPS:.3g})")
assert abs(flops / PAPER_FLOPS - 1) < 0.01

petaflop_s_days = PAPER_FLOPS / (1e15 * SECONDS_PER_DAY)
print(f"= {petaflop_s_days:,.0f} petaflop/s-days (a machine doing 10^15 FLOP/s, "
      "running for that many days)")
# The table rounds both columns from one unrounded count: its PF-days, turned back
# into FLOPs, round to its FLOPs.
flops_from_pf_days = PAPER_PF_DAYS * 1e15 * SECONDS_PER_DAY
print(f"Table D.1 gives {PAPER_PF_DAYS:,.0f} PF-days, which is "
      f"{flops_from_pf_days:.6g} FLOPs: the same count, rounded to "
      f"{PAPER_FLOPS:.3g} in its other column")
assert f"{flops_from_pf_days:.3g}" == f"{PAPER_FLOPS:.3g}"

at_peak = PAPER_FLOPS / V100_PEAK / SECONDS_PER_DAY
realistic = at_peak / GPT3_MFU
print(f"V100-days at peak speed: {at_peak:,.0f}; at {GPT3_MFU:.1%} utilisation: "
      f"{realistic:,.0f}")
print(f"on 1,000 V100s at that utilisation: {realistic / 1000:,.0f} days")
