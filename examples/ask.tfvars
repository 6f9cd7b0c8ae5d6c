# A caller asks, slow work answers, the caller hears the answer: the shipped Bedrock task with
# the caller's question from a contact attribute an earlier flow set (a Lex bot, say).
# Play it before applying:  make demo SCENARIO=ask   (or ask-chat)

# What the flow passes to the task: the question, from the contact attribute "question".
task_parameters = {
  question = "$.Attributes.question"
}

# The Bedrock task answers "answer"; the flow saves it as the contact attribute result_answer,
# so an agent's screen or the next flow can read it too.
result_attribute_keys = ["answer"]

messages = {
  success = "Here is what I found. {result.answer}"
}
