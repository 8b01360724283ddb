# Core infrastructure of production: everything is in modules/platform-core-infra;
# this root holds the state backend, the providers and production's values.

terraform {
  required_version = ">= 1.6.0"

  backend "s3" {
    bucket         = "cairn-platform-production-terraform-state"
    key            = "core-infra/terraform.tfstate"
    region         = "ca-central-1"
    dynamodb_table = "cairn-platform-production-terraform-lock"
    encrypt        = true
  }
}

module "core_infra" {
  source = "../../../modules/platform-core-infra"

  environment             = "production"
  region                  = "ca-central-1"
  availability_zones      = ["ca-central-1a", "ca-central-1b", "ca-central-1d"]
  vpc_cidr                = "10.20.0.0/16"
  single_nat_gateway      = false
  flow_log_retention_days = 90
  endpoint_public_access  = false
  # Replace with the operators' egress ranges.
  operator_cidrs        = ["198.51.100.0/24"]
  node_instance_type    = "t3.large"
  node_min_size         = 3
  node_max_size         = 10
  node_desired_size     = 5
  backup_retention_days = 90
  cairn_image_tag       = var.cairn_image_tag
}
