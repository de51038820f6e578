"""Descope's answers as the resources' inputs: the conversions the providers, the ops tools
and the benchmark share (`providers.answers.tenant`, `providers.answers.sso`)."""
