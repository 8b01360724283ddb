terraform {
  required_version = ">= 1.6.0"

  backend "s3" {
    bucket         = "cairn-platform-staging-terraform-state"
    key            = "domain-product/terraform.tfstate"
    region         = "ca-central-1"
    dynamodb_table = "cairn-platform-staging-terraform-lock"
    encrypt        = true
  }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.30"
    }
  }
}
