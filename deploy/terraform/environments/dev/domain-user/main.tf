# The user domain of dev: everything is in modules/platform-domain; this
# root holds the state backend, the providers and dev's values.

terraform {
  required_version = ">= 1.6.0"

  backend "s3" {
    bucket         = "cairn-platform-dev-terraform-state"
    key            = "domain-user/terraform.tfstate"
    region         = "ca-central-1"
    dynamodb_table = "cairn-platform-dev-terraform-lock"
    encrypt        = true
  }
}

module "domain" {
  source = "../../../modules/platform-domain"

  domain                = "user"
  environment           = "dev"
  region                = "ca-central-1"
  db_instance_class     = "db.t4g.medium"
  db_instance_count     = 1
  backup_retention_days = 7
  deletion_protection   = false
}
