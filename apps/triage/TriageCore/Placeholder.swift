// Placeholder until the triage core lands.
