terraform {
  required_version = ">= 1.6.0"

  backend "s3" {
    bucket         = "cairn-platform-dev-terraform-state"
    key            = "domain-user/terraform.tfstate"
    region         = "ca-central-1"
    dynamodb_table = "cairn-platform-dev-terraform-lock"
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
