import { PageHeader } from "../components/PageHeader";
import { CsvUpload } from "../features/customers/CsvUpload";
import { CustomerList } from "../features/customers/CustomerList";

export default function CustomersPage() {
  return (
    <>
      <PageHeader title="Customers" subtitle="Everyone you can reach, with their orders and consent." />
      <CsvUpload />
      <CustomerList />
    </>
  );
}
