import { Link, useParams } from "react-router-dom";
import { ErrorState, Loading } from "../components/States";
import { CustomerProfileView } from "../features/customers/CustomerProfileView";
import { useCustomer } from "../features/customers/queries";

export default function CustomerProfilePage() {
  const id = Number(useParams().customerId);
  const customer = useCustomer(id);
  return (
    <>
      <Link to="/customers" className="back-link">
        ← Customers
      </Link>
      {customer.isPending ? (
        <Loading label="Loading customer…" />
      ) : customer.isError ? (
        <ErrorState error={customer.error} title="Could not load this customer" />
      ) : (
        <CustomerProfileView customer={customer.data} />
      )}
    </>
  );
}
