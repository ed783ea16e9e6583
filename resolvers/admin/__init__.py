"""The admin API (`/admin/graphql`): a separate schema for editors and operators, never federated."""
