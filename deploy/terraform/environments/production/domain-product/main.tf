# The product domain of production: everything is in modules/platform-domain; this
# root holds the state backend, the providers and production's values.

terraform {
  required_version = ">= 1.6.0"

  backend "s3" {
    bucket         = "cairn-platform-production-terraform-state"
    key            = "domain-product/terraform.tfstate"
    region         = "ca-central-1"
    dynamodb_table = "cairn-platform-production-terraform-lock"
    encrypt        = true
  }
}

module "domain" {
  source = "../../../modules/platform-domain"

  domain                = "product"
  environment           = "production"
  region                = "ca-central-1"
  db_instance_class     = "db.r6g.large"
  db_instance_count     = 2
  backup_retention_days = 90
  deletion_protection   = true
  # product-api publishes product images to the CDN origin bucket.
  cdn_publish_prefixes = ["product-images"]
}
