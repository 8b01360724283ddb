# The user domain of staging: everything is in modules/platform-domain; this
# root holds the state backend, the providers and staging's values.

terraform {
  required_version = ">= 1.6.0"

  backend "s3" {
    bucket         = "cairn-platform-staging-terraform-state"
    key            = "domain-user/terraform.tfstate"
    region         = "ca-central-1"
    dynamodb_table = "cairn-platform-staging-terraform-lock"
    encrypt        = true
  }
}

module "domain" {
  source = "../../../modules/platform-domain"

  domain                = "user"
  environment           = "staging"
  region                = "ca-central-1"
  db_instance_class     = "db.t4g.medium"
  db_instance_count     = 1
  backup_retention_days = 30
  deletion_protection   = true
}
