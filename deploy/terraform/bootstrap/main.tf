# State buckets and lock tables of the three environments, one pair per
# environment so that access to production state can be granted apart.

provider "aws" {
  region = var.region
}

module "state" {
  source   = "../modules/s3"
  for_each = toset(var.environments)

  buckets = {
    "cairn-platform-${each.key}-terraform-state" = {
      versioning             = true
      noncurrent_expire_days = 90
      purpose                = "terraform-state"
    }
  }
  lock_table_name = "cairn-platform-${each.key}-terraform-lock"
  tags = {
    Project     = "microservices-platform"
    Environment = each.key
    ManagedBy   = "terraform"
    Root        = "bootstrap"
  }
}
