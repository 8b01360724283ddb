terraform {
  required_version = ">= 1.6.0"

  backend "s3" {
    bucket         = "cairn-platform-dev-terraform-state"
    key            = "private-cloud/terraform.tfstate"
    region         = "ca-central-1"
    dynamodb_table = "cairn-platform-dev-terraform-lock"
    encrypt        = true
  }

  required_providers {
    openstack = {
      source  = "terraform-provider-openstack/openstack"
      version = "~> 3.0"
    }
  }
}
