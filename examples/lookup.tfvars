# The fast path: at the start of every call the flow looks the dialled number up in the
# configuration table (one read, answered within lookup_budget_ms), sets the language and voice,
# speaks the branded greeting and saves config_<field> contact attributes, then runs the task.
# On any error, a missing item or a timeout the caller hears messages.greeting_fallback instead.
# Play it before applying:
#   make demo SCENARIO=branded        # a number with its own item: English (UK), Amy
#   make demo SCENARIO=lookup-fail    # the table throttles every read: the fallback greeting
#   make demo SCENARIO=lookup-slow    # the table hangs: the fallback greeting after the budget

config_lookup = {
  # Tried in order, then the item keyed "default": the dialled number, then a contact attribute
  # an earlier flow may set.
  keys = ["$.SystemEndpoint.Address", "$.Attributes.line_of_business"]
  items = {
    # Every other number: these fields, and the flow's own voice.
    default = {
      greeting         = "Thank you for calling Example Bank."
      line_of_business = "general"
    }
    "+442071234567" = {
      language         = "en-GB"
      voice            = "Amy"
      engine           = "Neural"
      greeting         = "Welcome to Example Bank mortgages. We are finding your application now."
      line_of_business = "mortgages"
      attributes       = { opening_hours = "Monday to Friday, 9 to 5" }
    }
    "+33142681234" = {
      language         = "fr-FR"
      voice            = "Lea"
      engine           = "Neural"
      greeting         = "Bienvenue chez Example Bank."
      line_of_business = "particuliers"
    }
  }
}

messages = {
  greeting_fallback = "Thank you for calling. One moment please."
}
