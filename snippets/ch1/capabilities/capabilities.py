"""What the real SmolLM2-135M-Instruct does well and gets wrong, with greedy
decoding so every run prints the same."""

import textwrap

import torch

from foundations_of_llms.models import load_smollm2

MAX_NEW_TOKENS = 32  # an answer ends at the model's end-of-turn token or here
# plain text to continue, no chat template
COMPLETION = "The chemical symbol for gold is"
REWRITE = "Rewrite in formal English: I can't come to the meeting tomorrow."
# no such novel: the title was invented for this page
MADE_UP = 'Who wrote the novel "The Glass Orchard of Tannerby"?'
WORD, LETTER = "strawberry", "r"
A, B = 1234, 5678
# "The 135M model was trained on 2 trillion
# tokens": the model card's Model Summary
TRAINING_TOKENS = 2 * 10**12


def greedy_reply(batch, title):
    """Greedy-decode after the prompt in `batch`, print the new text under
    `title`, and return it."""
    with torch.no_grad():
        output = model.generate(**batch, max_new_tokens=MAX_NEW_TOKENS,
                                do_sample=False)
    new = output[0, batch["input_ids"].shape[1]:]
    ending = ("its end-of-turn token" if new[-1] == tokenizer.eos_token_id
              else f"the limit of {len(new)} tokens")
    text = tokenizer.decode(new, skip_special_tokens=True).strip()
    print(f"\n== {title} (stopped at {ending})")
    for line in text.splitlines():
        print(textwrap.fill(line, 100, initial_indent="  ",
                            subsequent_indent="  "))
    return text


def ask(question, title):
    """One user turn through the instruct model's chat template, which adds its
    default system turn."""
    messages = [{"role": "user", "content": question}]
    batch = tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                          return_dict=True, return_tensors="pt")
    return greedy_reply(batch, f"{title}: {question}")


tokenizer, model = load_smollm2()
n_params = sum(p.numel() for p in model.parameters())
print("context length (max_position_embeddings): "
      f"{model.config.max_position_embeddings:,} tokens")
print(f"parameters N = {n_params:,}, which take {4 * n_params:,} "
      "bytes as float32")
print(f"generating: about 2N = {2 * n_params:,} FLOPs per token, plus attention "
      "over the context")
print(f"training: about 6N x {TRAINING_TOKENS:,} tokens = "
      f"{6 * n_params * TRAINING_TOKENS:.1e} FLOPs")
messages = [{"role": "user", "content": REWRITE}]
template = tokenizer.apply_chat_template(messages, tokenize=False,
                                         add_generation_prompt=True)
print("what the model reads for one "
      f"question:\n{textwrap.indent(template, '  ').rstrip()}")

greedy_reply(tokenizer(COMPLETION, return_tensors="pt"),
             f"Completion of plain text: {COMPLETION!r}")
ask(REWRITE, "Rewrite")
ask(MADE_UP, "A book that does not exist")

ask(f'How many times does the letter "{LETTER}" appear in the word "{WORD}"?',
    "Letter counting")
print(f"  true count, from Python: {WORD.count(LETTER)}")
# the bare word is several tokens, not one per letter
assert 1 < len(tokenizer.tokenize(WORD)) < len(WORD)
for text in (f'"{WORD}"', f" {WORD}"):
    print(f"  tokens of {text!r}: {tokenizer.tokenize(text)}")

expression = f"{A} * {B}"
answer = ask(f"What is {expression}?", "Multiplication")
# this tokenizer gives every digit a token of its own
assert tokenizer.tokenize(str(A * B)) == list(str(A * B))
print(f"  true product, from Python: {expression} = {A * B}")
print("  the true product appears in the model's answer: "
      f"{str(A * B) in answer.replace(',', '')}")
print(f"  tokens of {expression!r}: {tokenizer.tokenize(expression)}")
